"""HR's side of a feedback round. Where each part lives:

- rounds.py: the rounds list, a round's settings and their lock, AdminError
- creation.py: the managers to choose from, the new-round picker, create_round
- raters.py: proposed raters, adding / removing raters of a draft, the launch rule on raters
- launch.py: launching a round, with its invitation and set-password mails
- transitions.py: close and publish, and whether launch / close / publish can go ahead
- closing.py: what closing does to the round's data (envelopes opened, participation erased)
- participation.py: the stored response counts, counted at most once an hour
- completion.py: which of those counts HR may see (the reports' threshold rule)
- dashboard.py: the response dashboard built from them
- reminders.py, retention.py: reminders and the purge of invitations, each with its rule
- operations.py: reminders, retention and mail of a round, as its page shows them
- outbox.py: HR's view of the stored mail
- blueprint.py, routes.py, operations_routes.py, forms.py, cli.py: the web pages and commands
"""
