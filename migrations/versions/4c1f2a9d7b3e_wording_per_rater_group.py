"""wording per rater group

Statements and open questions get their rater forms (`forms`: first person for the
self-assessment, "My manager ..." for direct reports, the manager's name for peers and the
supervisor), and text_nl / text_en become the neutral form the reports show.

Existing rows of the six-legs framework (templates and round copies) whose key and text
are those the framework file shipped before this revision get the file's new wording.
Every other row (another framework, an unknown key, a text edited since) keeps its text,
and with no forms it uses that text for every form. Downgrade puts the old text back where
the row still has the shipped wording.

Revision ID: 4c1f2a9d7b3e
Revises: 910e238be516
Create Date: 2026-12-02 06:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '4c1f2a9d7b3e'
down_revision = '910e238be516'
branch_labels = None
depends_on = None

FRAMEWORK_KEY = "six-legs"

# key -> the (nl, en) text shipped before, the (nl, en) neutral form and the rater forms,
# as feedback/frameworks/six-legs.json has them at this revision.
STATEMENTS = {
    'teambuilder-hiring': {
        'before': ('Mijn manager neemt verkopers aan die in de praktijk waarmaken wat ze op papier beloven.',
                   'My manager hires salespeople who deliver in practice what they promise on paper.'),
        'neutral': ('Neemt verkopers aan die in de praktijk waarmaken wat ze op papier beloven.',
                    'Hires salespeople who deliver in practice what they promise on paper.'),
        'forms': {
            'nl': {
                'self': 'Ik neem verkopers aan die in de praktijk waarmaken wat ze op papier beloven.',
                'direct': 'Mijn manager neemt verkopers aan die in de praktijk waarmaken wat ze op papier beloven.',
                'other': '{name} neemt verkopers aan die in de praktijk waarmaken wat ze op papier beloven.',
            },
            'en': {
                'self': 'I hire salespeople who deliver in practice what they promise on paper.',
                'direct': 'My manager hires salespeople who deliver in practice what they promise on paper.',
                'other': '{name} hires salespeople who deliver in practice what they promise on paper.',
            },
        },
    },
    'teambuilder-letting-go': {
        'before': ('Mijn manager durft afscheid te nemen van iemand die niet in het team past.',
                   'My manager is willing to part ways with someone who does not fit the team.'),
        'neutral': ('Durft afscheid te nemen van iemand die niet in het team past.',
                    'Is willing to part ways with someone who does not fit the team.'),
        'forms': {
            'nl': {
                'self': 'Ik durf afscheid te nemen van iemand die niet in mijn team past.',
                'direct': 'Mijn manager durft afscheid te nemen van iemand die niet in het team past.',
                'other': '{name} durft afscheid te nemen van iemand die niet in het team past.',
            },
            'en': {
                'self': 'I am willing to part ways with someone who does not fit my team.',
                'direct': 'My manager is willing to part ways with someone who does not fit the team.',
                'other': '{name} is willing to part ways with someone who does not fit the team.',
            },
        },
    },
    'teambuilder-stands-up': {
        'before': ('Mijn manager neemt het voor het team op als het erop aankomt.',
                   'My manager stands up for the team when it counts.'),
        'neutral': ('Neemt het voor het team op als het erop aankomt.',
                    'Stands up for the team when it counts.'),
        'forms': {
            'nl': {
                'self': 'Ik neem het voor mijn team op als het erop aankomt.',
                'direct': 'Mijn manager neemt het voor het team op als het erop aankomt.',
                'other': '{name} neemt het voor het team op als het erop aankomt.',
            },
            'en': {
                'self': 'I stand up for my team when it counts.',
                'direct': 'My manager stands up for the team when it counts.',
                'other': '{name} stands up for the team when it counts.',
            },
        },
    },
    'teambuilder-recognition': {
        'before': ('Mijn manager laat het merken als iemand goed werk levert.',
                   'My manager lets people know when they have done good work.'),
        'neutral': ('Laat het merken als iemand goed werk levert.',
                    'Lets people know when they have done good work.'),
        'forms': {
            'nl': {
                'self': 'Ik laat het merken als iemand goed werk levert.',
                'direct': 'Mijn manager laat het merken als iemand goed werk levert.',
                'other': '{name} laat het merken als iemand goed werk levert.',
            },
            'en': {
                'self': 'I let people know when they have done good work.',
                'direct': 'My manager lets people know when they have done good work.',
                'other': '{name} lets people know when they have done good work.',
            },
        },
    },
    'decisive-judges-people': {
        'before': ('Mijn manager heeft snel een goed beeld van wat iemand in huis heeft.',
                   'My manager quickly gets an accurate picture of what someone is capable of.'),
        'neutral': ('Heeft snel een goed beeld van wat iemand in huis heeft.',
                    'Quickly gets an accurate picture of what someone is capable of.'),
        'forms': {
            'nl': {
                'self': 'Ik heb snel een goed beeld van wat iemand in huis heeft.',
                'direct': 'Mijn manager heeft snel een goed beeld van wat iemand in huis heeft.',
                'other': '{name} heeft snel een goed beeld van wat iemand in huis heeft.',
            },
            'en': {
                'self': 'I quickly get an accurate picture of what someone is capable of.',
                'direct': 'My manager quickly gets an accurate picture of what someone is capable of.',
                'other': '{name} quickly gets an accurate picture of what someone is capable of.',
            },
        },
    },
    'decisive-estimates-deals': {
        'before': ('Mijn manager schat de kansen van een deal realistischer in dan wij als team.',
                   'My manager judges the chances of a deal more realistically than we do as a team.'),
        'neutral': ('Schat de kansen van een deal realistischer in dan het team.',
                    'Judges the chances of a deal more realistically than the team does.'),
        'forms': {
            'nl': {
                'self': 'Ik schat de kansen van een deal realistischer in dan mijn team.',
                'direct': 'Mijn manager schat de kansen van een deal realistischer in dan wij als team.',
                'other': '{name} schat de kansen van een deal realistischer in dan het team.',
            },
            'en': {
                'self': 'I judge the chances of a deal more realistically than my team does.',
                'direct': 'My manager judges the chances of a deal more realistically than we do as a team.',
                'other': '{name} judges the chances of a deal more realistically than the team does.',
            },
        },
    },
    'decisive-decides': {
        'before': ('Mijn manager hakt de knoop door als een beslissing niet langer kan wachten.',
                   'My manager makes the call when a decision cannot wait any longer.'),
        'neutral': ('Hakt de knoop door als een beslissing niet langer kan wachten.',
                    'Makes the call when a decision cannot wait any longer.'),
        'forms': {
            'nl': {
                'self': 'Ik hak de knoop door als een beslissing niet langer kan wachten.',
                'direct': 'Mijn manager hakt de knoop door als een beslissing niet langer kan wachten.',
                'other': '{name} hakt de knoop door als een beslissing niet langer kan wachten.',
            },
            'en': {
                'self': 'I make the call when a decision cannot wait any longer.',
                'direct': 'My manager makes the call when a decision cannot wait any longer.',
                'other': '{name} makes the call when a decision cannot wait any longer.',
            },
        },
    },
    'decisive-steps-in': {
        'before': ('Mijn manager grijpt op tijd in als een salestraject dreigt vast te lopen.',
                   'My manager steps in early when a sales opportunity is about to stall.'),
        'neutral': ('Grijpt op tijd in als een salestraject dreigt vast te lopen.',
                    'Steps in early when a sales opportunity is about to stall.'),
        'forms': {
            'nl': {
                'self': 'Ik grijp op tijd in als een salestraject dreigt vast te lopen.',
                'direct': 'Mijn manager grijpt op tijd in als een salestraject dreigt vast te lopen.',
                'other': '{name} grijpt op tijd in als een salestraject dreigt vast te lopen.',
            },
            'en': {
                'self': 'I step in early when a sales opportunity is about to stall.',
                'direct': 'My manager steps in early when a sales opportunity is about to stall.',
                'other': '{name} steps in early when a sales opportunity is about to stall.',
            },
        },
    },
    'politician-carries-needs-up': {
        'before': ('Mijn manager maakt bij de directie duidelijk wat het team nodig heeft.',
                   'My manager makes clear to senior management what the team needs.'),
        'neutral': ('Maakt bij de directie duidelijk wat het team nodig heeft.',
                    'Makes clear to senior management what the team needs.'),
        'forms': {
            'nl': {
                'self': 'Ik maak bij de directie duidelijk wat mijn team nodig heeft.',
                'direct': 'Mijn manager maakt bij de directie duidelijk wat het team nodig heeft.',
                'other': '{name} maakt bij de directie duidelijk wat het team nodig heeft.',
            },
            'en': {
                'self': 'I make clear to senior management what my team needs.',
                'direct': 'My manager makes clear to senior management what the team needs.',
                'other': '{name} makes clear to senior management what the team needs.',
            },
        },
    },
    'politician-pushes-back': {
        'before': ('Mijn manager gaat tegen de directie in als een target niet haalbaar is.',
                   'My manager pushes back on senior management when a target is unrealistic.'),
        'neutral': ('Gaat tegen de directie in als een target niet haalbaar is.',
                    'Pushes back on senior management when a target is unrealistic.'),
        'forms': {
            'nl': {
                'self': 'Ik ga tegen de directie in als een target niet haalbaar is.',
                'direct': 'Mijn manager gaat tegen de directie in als een target niet haalbaar is.',
                'other': '{name} gaat tegen de directie in als een target niet haalbaar is.',
            },
            'en': {
                'self': 'I push back on senior management when a target is unrealistic.',
                'direct': 'My manager pushes back on senior management when a target is unrealistic.',
                'other': '{name} pushes back on senior management when a target is unrealistic.',
            },
        },
    },
    'politician-reads-agendas': {
        'before': ('Mijn manager heeft goed door welke belangen andere afdelingen hebben.',
                   "My manager reads other departments' agendas well."),
        'neutral': ('Heeft goed door welke belangen andere afdelingen hebben.',
                    "Reads other departments' agendas well."),
        'forms': {
            'nl': {
                'self': 'Ik heb goed door welke belangen andere afdelingen hebben.',
                'direct': 'Mijn manager heeft goed door welke belangen andere afdelingen hebben.',
                'other': '{name} heeft goed door welke belangen andere afdelingen hebben.',
            },
            'en': {
                'self': "I read other departments' agendas well.",
                'direct': "My manager reads other departments' agendas well.",
                'other': "{name} reads other departments' agendas well.",
            },
        },
    },
    'politician-gets-support': {
        'before': ('Mijn manager krijgt bij andere afdelingen voor elkaar wat wij nodig hebben om te verkopen.',
                   'My manager gets other departments to deliver what we need to sell.'),
        'neutral': ('Krijgt bij andere afdelingen voor elkaar wat het team nodig heeft om te verkopen.',
                    'Gets other departments to deliver what the team needs to sell.'),
        'forms': {
            'nl': {
                'self': 'Ik krijg bij andere afdelingen voor elkaar wat mijn team nodig heeft om te verkopen.',
                'direct': 'Mijn manager krijgt bij andere afdelingen voor elkaar wat wij nodig hebben om te verkopen.',
                'other': '{name} krijgt bij andere afdelingen voor elkaar wat het team nodig heeft om te verkopen.',
            },
            'en': {
                'self': 'I get other departments to deliver what my team needs to sell.',
                'direct': 'My manager gets other departments to deliver what we need to sell.',
                'other': '{name} gets other departments to deliver what the team needs to sell.',
            },
        },
    },
    'coach-room-to-sell': {
        'before': ('Mijn manager laat mij mijn deals op mijn eigen manier aanpakken.',
                   'My manager lets me handle my deals in my own way.'),
        'neutral': ('Laat verkopers hun deals op hun eigen manier aanpakken.',
                    'Lets salespeople handle their deals in their own way.'),
        'forms': {
            'nl': {
                'self': 'Ik laat mijn verkopers hun deals op hun eigen manier aanpakken.',
                'direct': 'Mijn manager laat mij mijn deals op mijn eigen manier aanpakken.',
                'other': '{name} laat verkopers hun deals op hun eigen manier aanpakken.',
            },
            'en': {
                'self': 'I let my salespeople handle their deals in their own way.',
                'direct': 'My manager lets me handle my deals in my own way.',
                'other': '{name} lets salespeople handle their deals in their own way.',
            },
        },
    },
    'coach-feedback': {
        'before': ('Mijn manager geeft mij concrete feedback waar ik beter van word.',
                   'My manager gives me specific feedback that makes me better at my job.'),
        'neutral': ('Geeft verkopers concrete feedback waar ze beter van worden.',
                    'Gives salespeople specific feedback that makes them better at their job.'),
        'forms': {
            'nl': {
                'self': 'Ik geef mijn verkopers concrete feedback waar ze beter van worden.',
                'direct': 'Mijn manager geeft mij concrete feedback waar ik beter van word.',
                'other': '{name} geeft verkopers concrete feedback waar ze beter van worden.',
            },
            'en': {
                'self': 'I give my salespeople specific feedback that makes them better at their job.',
                'direct': 'My manager gives me specific feedback that makes me better at my job.',
                'other': '{name} gives salespeople specific feedback that makes them better at their job.',
            },
        },
    },
    'coach-motivation-or-skill': {
        'before': ('Mijn manager ziet het verschil tussen iemand die niet gemotiveerd is en iemand die een vaardigheid mist.',
                   'My manager can tell whether someone lacks motivation or lacks a skill.'),
        'neutral': ('Ziet het verschil tussen iemand die niet gemotiveerd is en iemand die een vaardigheid mist.',
                    'Can tell whether someone lacks motivation or lacks a skill.'),
        'forms': {
            'nl': {
                'self': 'Ik zie het verschil tussen iemand die niet gemotiveerd is en iemand die een vaardigheid mist.',
                'direct': 'Mijn manager ziet het verschil tussen iemand die niet gemotiveerd is en iemand die een vaardigheid mist.',
                'other': '{name} ziet het verschil tussen iemand die niet gemotiveerd is en iemand die een vaardigheid mist.',
            },
            'en': {
                'self': 'I can tell whether someone lacks motivation or lacks a skill.',
                'direct': 'My manager can tell whether someone lacks motivation or lacks a skill.',
                'other': '{name} can tell whether someone lacks motivation or lacks a skill.',
            },
        },
    },
    'coach-training': {
        'before': ('Mijn manager zorgt dat ik de training krijg die ik nodig heb om te groeien.',
                   'My manager makes sure I get the training I need to grow.'),
        'neutral': ('Zorgt dat verkopers de training krijgen die ze nodig hebben om te groeien.',
                    'Makes sure salespeople get the training they need to grow.'),
        'forms': {
            'nl': {
                'self': 'Ik zorg dat mijn verkopers de training krijgen die ze nodig hebben om te groeien.',
                'direct': 'Mijn manager zorgt dat ik de training krijg die ik nodig heb om te groeien.',
                'other': '{name} zorgt dat verkopers de training krijgen die ze nodig hebben om te groeien.',
            },
            'en': {
                'self': 'I make sure my salespeople get the training they need to grow.',
                'direct': 'My manager makes sure I get the training I need to grow.',
                'other': '{name} makes sure salespeople get the training they need to grow.',
            },
        },
    },
    'numbers-knows-position': {
        'before': ('Mijn manager weet precies hoe het team er in de cijfers voor staat.',
                   'My manager knows exactly where the team stands in the numbers.'),
        'neutral': ('Weet precies hoe het team er in de cijfers voor staat.',
                    'Knows exactly where the team stands in the numbers.'),
        'forms': {
            'nl': {
                'self': 'Ik weet precies hoe mijn team er in de cijfers voor staat.',
                'direct': 'Mijn manager weet precies hoe het team er in de cijfers voor staat.',
                'other': '{name} weet precies hoe het team er in de cijfers voor staat.',
            },
            'en': {
                'self': 'I know exactly where my team stands in the numbers.',
                'direct': 'My manager knows exactly where the team stands in the numbers.',
                'other': '{name} knows exactly where the team stands in the numbers.',
            },
        },
    },
    'numbers-conclusions': {
        'before': ('Mijn manager trekt uit de cijfers de juiste conclusies voor onze aanpak.',
                   'My manager draws the right conclusions from the numbers for how we work.'),
        'neutral': ('Trekt uit de cijfers de juiste conclusies voor de aanpak van het team.',
                    'Draws the right conclusions from the numbers for how the team works.'),
        'forms': {
            'nl': {
                'self': 'Ik trek uit de cijfers de juiste conclusies voor de aanpak van mijn team.',
                'direct': 'Mijn manager trekt uit de cijfers de juiste conclusies voor onze aanpak.',
                'other': '{name} trekt uit de cijfers de juiste conclusies voor de aanpak van het team.',
            },
            'en': {
                'self': 'I draw the right conclusions from the numbers for how my team works.',
                'direct': 'My manager draws the right conclusions from the numbers for how we work.',
                'other': '{name} draws the right conclusions from the numbers for how the team works.',
            },
        },
    },
    'numbers-big-picture': {
        'before': ('Mijn manager kijkt verder dan de cijfers van dit kwartaal.',
                   "My manager looks beyond this quarter's numbers."),
        'neutral': ('Kijkt verder dan de cijfers van dit kwartaal.',
                    "Looks beyond this quarter's numbers."),
        'forms': {
            'nl': {
                'self': 'Ik kijk verder dan de cijfers van dit kwartaal.',
                'direct': 'Mijn manager kijkt verder dan de cijfers van dit kwartaal.',
                'other': '{name} kijkt verder dan de cijfers van dit kwartaal.',
            },
            'en': {
                'self': "I look beyond this quarter's numbers.",
                'direct': "My manager looks beyond this quarter's numbers.",
                'other': "{name} looks beyond this quarter's numbers.",
            },
        },
    },
    'numbers-sales-plan': {
        'before': ('Mijn manager legt het verkoopplan zo uit dat ik weet wat er van mij verwacht wordt.',
                   'My manager explains the sales plan so that I know what is expected of me.'),
        'neutral': ('Legt het verkoopplan zo uit dat verkopers weten wat er van hen verwacht wordt.',
                    'Explains the sales plan so that salespeople know what is expected of them.'),
        'forms': {
            'nl': {
                'self': 'Ik leg het verkoopplan zo uit dat mijn verkopers weten wat er van hen verwacht wordt.',
                'direct': 'Mijn manager legt het verkoopplan zo uit dat ik weet wat er van mij verwacht wordt.',
                'other': '{name} legt het verkoopplan zo uit dat verkopers weten wat er van hen verwacht wordt.',
            },
            'en': {
                'self': 'I explain the sales plan so that my salespeople know what is expected of them.',
                'direct': 'My manager explains the sales plan so that I know what is expected of me.',
                'other': '{name} explains the sales plan so that salespeople know what is expected of them.',
            },
        },
    },
    'achiever-owns-targets': {
        'before': ('Mijn manager voelt zich net zo verantwoordelijk voor onze targets als wij.',
                   'My manager feels as responsible for our targets as we do.'),
        'neutral': ('Voelt zich net zo verantwoordelijk voor de targets van het team als de verkopers zelf.',
                    "Feels as responsible for the team's targets as the salespeople do."),
        'forms': {
            'nl': {
                'self': 'Ik voel me net zo verantwoordelijk voor de targets van mijn team als mijn verkopers zelf.',
                'direct': 'Mijn manager voelt zich net zo verantwoordelijk voor onze targets als wij.',
                'other': '{name} voelt zich net zo verantwoordelijk voor de targets van het team als de verkopers zelf.',
            },
            'en': {
                'self': "I feel as responsible for my team's targets as my salespeople do.",
                'direct': 'My manager feels as responsible for our targets as we do.',
                'other': "{name} feels as responsible for the team's targets as the salespeople do.",
            },
        },
    },
    'achiever-beyond-target': {
        'before': ('Mijn manager legt de lat hoger dan alleen het target halen.',
                   'My manager aims higher than just hitting the target.'),
        'neutral': ('Legt de lat hoger dan alleen het target halen.',
                    'Aims higher than just hitting the target.'),
        'forms': {
            'nl': {
                'self': 'Ik leg de lat hoger dan alleen het target halen.',
                'direct': 'Mijn manager legt de lat hoger dan alleen het target halen.',
                'other': '{name} legt de lat hoger dan alleen het target halen.',
            },
            'en': {
                'self': 'I aim higher than just hitting the target.',
                'direct': 'My manager aims higher than just hitting the target.',
                'other': '{name} aims higher than just hitting the target.',
            },
        },
    },
    'achiever-sets-example': {
        'before': ('Mijn manager toont zelf de inzet die van ons verwacht wordt.',
                   'My manager shows the same commitment that is expected of us.'),
        'neutral': ('Toont zelf de inzet die van het team verwacht wordt.',
                    'Shows the same commitment that is expected of the team.'),
        'forms': {
            'nl': {
                'self': 'Ik toon zelf de inzet die ik van mijn team verwacht.',
                'direct': 'Mijn manager toont zelf de inzet die van ons verwacht wordt.',
                'other': '{name} toont zelf de inzet die van het team verwacht wordt.',
            },
            'en': {
                'self': 'I show the same commitment that I expect of my team.',
                'direct': 'My manager shows the same commitment that is expected of us.',
                'other': '{name} shows the same commitment that is expected of the team.',
            },
        },
    },
    'achiever-keeps-going': {
        'before': ('Mijn manager blijft voor het resultaat gaan als het tegenzit.',
                   'My manager keeps going for results when things get tough.'),
        'neutral': ('Blijft voor het resultaat gaan als het tegenzit.',
                    'Keeps going for results when things get tough.'),
        'forms': {
            'nl': {
                'self': 'Ik blijf voor het resultaat gaan als het tegenzit.',
                'direct': 'Mijn manager blijft voor het resultaat gaan als het tegenzit.',
                'other': '{name} blijft voor het resultaat gaan als het tegenzit.',
            },
            'en': {
                'self': 'I keep going for results when things get tough.',
                'direct': 'My manager keeps going for results when things get tough.',
                'other': '{name} keeps going for results when things get tough.',
            },
        },
    },
}

QUESTIONS = {
    'start': {
        'before': ('Waarmee zou deze manager moeten beginnen?',
                   'What should this manager start doing?'),
        'neutral': ('Waarmee zou deze manager moeten beginnen?',
                    'What should this manager start doing?'),
        'forms': {
            'nl': {
                'self': 'Waarmee zou ik moeten beginnen?',
                'direct': 'Waarmee zou mijn manager moeten beginnen?',
                'other': 'Waarmee zou {name} moeten beginnen?',
            },
            'en': {
                'self': 'What should I start doing?',
                'direct': 'What should my manager start doing?',
                'other': 'What should {name} start doing?',
            },
        },
    },
    'stop': {
        'before': ('Waarmee zou deze manager moeten stoppen?',
                   'What should this manager stop doing?'),
        'neutral': ('Waarmee zou deze manager moeten stoppen?',
                    'What should this manager stop doing?'),
        'forms': {
            'nl': {
                'self': 'Waarmee zou ik moeten stoppen?',
                'direct': 'Waarmee zou mijn manager moeten stoppen?',
                'other': 'Waarmee zou {name} moeten stoppen?',
            },
            'en': {
                'self': 'What should I stop doing?',
                'direct': 'What should my manager stop doing?',
                'other': 'What should {name} stop doing?',
            },
        },
    },
    'continue': {
        'before': ('Waarmee moet deze manager vooral doorgaan?',
                   'What should this manager keep doing?'),
        'neutral': ('Waarmee moet deze manager vooral doorgaan?',
                    'What should this manager keep doing?'),
        'forms': {
            'nl': {
                'self': 'Waarmee moet ik vooral doorgaan?',
                'direct': 'Waarmee moet mijn manager vooral doorgaan?',
                'other': 'Waarmee moet {name} vooral doorgaan?',
            },
            'en': {
                'self': 'What should I keep doing?',
                'direct': 'What should my manager keep doing?',
                'other': 'What should {name} keep doing?',
            },
        },
    },
}


framework = sa.table('framework', sa.column('id', sa.Integer), sa.column('key', sa.String))
leg = sa.table('leg', sa.column('id', sa.Integer), sa.column('framework_id', sa.Integer))
statement = sa.table(
    'statement',
    sa.column('id', sa.Integer),
    sa.column('leg_id', sa.Integer),
    sa.column('key', sa.String),
    sa.column('text_nl', sa.Text),
    sa.column('text_en', sa.Text),
    sa.column('forms', sa.JSON),
)
open_question = sa.table(
    'open_question',
    sa.column('id', sa.Integer),
    sa.column('framework_id', sa.Integer),
    sa.column('key', sa.String),
    sa.column('text_nl', sa.Text),
    sa.column('text_en', sa.Text),
    sa.column('forms', sa.JSON),
)


def _six_legs_frameworks():
    return sa.select(framework.c.id).where(framework.c.key == FRAMEWORK_KEY)


def _rows(table, key, texts):
    """The rows of `table` in a six-legs framework with this key and these (nl, en) texts."""
    if table is statement:
        in_framework = table.c.leg_id.in_(
            sa.select(leg.c.id).where(leg.c.framework_id.in_(_six_legs_frameworks()))
        )
    else:
        in_framework = table.c.framework_id.in_(_six_legs_frameworks())
    return sa.and_(
        in_framework,
        table.c.key == key,
        table.c.text_nl == texts[0],
        table.c.text_en == texts[1],
    )


def upgrade():
    with op.batch_alter_table('open_question', schema=None) as batch_op:
        batch_op.add_column(sa.Column('forms', sa.JSON(), nullable=True))

    with op.batch_alter_table('statement', schema=None) as batch_op:
        batch_op.add_column(sa.Column('forms', sa.JSON(), nullable=True))

    for table, wording in ((statement, STATEMENTS), (open_question, QUESTIONS)):
        for key, item in wording.items():
            op.execute(
                table.update()
                .where(_rows(table, key, item['before']))
                .values(
                    text_nl=item['neutral'][0],
                    text_en=item['neutral'][1],
                    forms=item['forms'],
                )
            )


def downgrade():
    for table, wording in ((statement, STATEMENTS), (open_question, QUESTIONS)):
        for key, item in wording.items():
            op.execute(
                table.update()
                .where(_rows(table, key, item['neutral']))
                .values(text_nl=item['before'][0], text_en=item['before'][1])
            )

    with op.batch_alter_table('statement', schema=None) as batch_op:
        batch_op.drop_column('forms')

    with op.batch_alter_table('open_question', schema=None) as batch_op:
        batch_op.drop_column('forms')
