"""The test suite. Its helpers are imported by full name: tests.factories, tests.waiting..."""
