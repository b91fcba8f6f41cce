"""What the demo site is made of: its tag vocabulary, profile material and program designs.

Plain data, kept apart from ``demo.py`` (which creates it through the services), so the demo's
content can be read and changed without reading the code that creates it.
"""

from __future__ import annotations

from typing import Any

# Tags of the demo's vocabulary: (label, synonyms). Synonyms are what people type instead.
VOCABULARY: list[tuple[str, list[str]]] = [
    ("Machine learning", ["ML", "statistical learning"]),
    ("Data analysis", ["data analytics", "analytics"]),
    ("Python", ["py"]),
    ("JavaScript", ["JS", "ECMAScript"]),
    ("Cloud infrastructure", ["cloud", "AWS", "devops"]),
    ("Security", ["infosec", "cybersecurity"]),
    ("Product management", ["PM", "product"]),
    ("User research", ["UX research"]),
    ("Public speaking", ["presenting", "talks"]),
    ("Leadership", ["leading teams", "management"]),
    ("Career planning", ["career development"]),
    ("Negotiation", []),
    ("Writing", ["technical writing"]),
    ("Research methods", ["methodology"]),
    ("Statistics", ["stats"]),
    ("Grant writing", ["funding applications"]),
    ("Code review", []),
    ("Testing", ["QA", "quality assurance"]),
    ("Accessibility", ["a11y"]),
    ("Design systems", []),
    ("Work-life balance", ["wellbeing"]),
    ("Networking", []),
    ("Finance", ["budgeting"]),
    ("Entrepreneurship", ["start-ups", "startups"]),
]
SKILLS = [label for label, _ in VOCABULARY]

DEPARTMENTS = ["Engineering", "Research", "Product", "Design", "Operations", "Finance", "People",
               "Sales", "Legal", "Data"]
SENIORITY = ["student", "junior", "mid", "senior", "lead", "executive"]
LANGUAGES = [["en"], ["en", "fr"], ["en", "de"], ["en", "es"], ["en", "pt"], ["en", "ar"], ["en", "hi"],
             ["en", "ja"], ["en", "pl"], ["en", "tr"]]
TIME_ZONES = ["Europe/London", "Europe/Berlin", "Europe/Paris", "America/New_York", "America/Sao_Paulo",
              "Asia/Kolkata", "Asia/Tokyo", "Africa/Lagos", "Europe/Warsaw", "Europe/Istanbul"]
MENTOR_HEADLINES = [
    "Staff engineer who enjoys helping people find their footing",
    "Engineering manager, ten years of growing teams",
    "Researcher in applied statistics, patient reviewer of first drafts",
    "Product lead; happy to talk roadmaps and stakeholders",
    "Security architect who started in support",
    "Designer turned design-systems lead",
]
MENTEE_HEADLINES = [
    "Second-year developer looking for a sounding board",
    "PhD student preparing a first paper",
    "New team lead learning to delegate",
    "Analyst moving into data science",
    "Graduate engineer in my first year",
    "Career changer from teaching into tech",
]
BIOS = [
    "I like concrete goals and short feedback loops. Outside work: climbing and bad puns.",
    "I learned most of what I know from people who took the time to explain. Passing it on.",
    "Curious about how teams make decisions; I keep a reading list I am happy to share.",
    "I moved countries twice for work and know how disorienting a new place can be.",
]
# Weekly availability patterns (day 0 is Monday), in each person's own time zone.
AVAILABILITY: list[list[dict[str, Any]]] = [
    [{"day": 1, "start": "09:00", "end": "11:00"}, {"day": 3, "start": "14:00", "end": "16:00"}],
    [{"day": 0, "start": "17:00", "end": "19:00"}, {"day": 2, "start": "17:00", "end": "19:00"}],
    [{"day": 4, "start": "10:00", "end": "12:30"}],
    [{"day": 1, "start": "12:00", "end": "13:00"}, {"day": 2, "start": "12:00", "end": "13:00"},
     {"day": 3, "start": "12:00", "end": "13:00"}],
]
GOALS = [
    "Get better at estimating and planning my work.",
    "Prepare for a promotion conversation this year.",
    "Finish and submit my first paper.",
    "Learn to give feedback that lands.",
    "Move from individual work into leading a small team.",
    "Build confidence presenting to senior people.",
]

# Questions every demo program asks, as ``QuestionCreate`` fields. Choices and roles are the
# designs a coordinator would write; ``matching_criterion`` marks what matching reads.
QUESTIONS: dict[str, list[dict[str, Any]]] = {
    "early-career": [
        {"key": "goals", "label": "What would you like to work on?", "kind": "long_text", "required": True,
         "matching_criterion": True},
        {"key": "topics", "label": "Topics", "kind": "tags", "required": True, "matching_criterion": True,
         "visible_roles": ["mentor", "mentee"]},
        {"key": "meeting", "label": "How would you like to meet?", "kind": "single_choice",
         "choices": ["Video call", "In person", "Either"], "required": True},
        {"key": "confidence", "label": "How confident do you feel in your role today?", "kind": "scale",
         "scale_min": 1, "scale_max": 5, "asked_roles": ["mentee"]},
    ],
    "women-in-leadership": [
        {"key": "motivation", "label": "Why do you want to join?", "kind": "long_text", "required": True},
        {"key": "focus", "label": "Focus areas", "kind": "multiple_choice", "required": True,
         "choices": ["Strategy", "Influence", "Negotiation", "Building a team", "Visibility"],
         "matching_criterion": True},
        {"key": "role_title", "label": "Your current role", "kind": "short_text", "required": True},
    ],
    "research-spring": [
        {"key": "field", "label": "Field of research", "kind": "short_text", "required": True,
         "matching_criterion": True},
        {"key": "methods", "label": "Methods", "kind": "tags", "matching_criterion": True},
        {"key": "stage", "label": "Where is your paper?", "kind": "single_choice", "asked_roles": ["mentee"],
         "choices": ["An idea", "Data collected", "First draft", "Under review"], "required": True},
    ],
    "engineering-circles": [
        {"key": "topics", "label": "Topics for the circle", "kind": "tags", "required": True,
         "matching_criterion": True},
        {"key": "slot", "label": "Preferred time of day", "kind": "single_choice",
         "choices": ["Morning", "Lunchtime", "Afternoon", "Evening"]},
    ],
    "find-a-mentor": [
        {"key": "hopes", "label": "What do you hope a mentor helps you with?", "kind": "long_text",
         "asked_roles": ["mentee"], "matching_criterion": True},
        {"key": "meeting", "label": "How would you like to meet?", "kind": "single_choice",
         "choices": ["Video call", "In person", "Either"], "required": True, "matching_criterion": True},
    ],
    "product-pilot": [
        {"key": "product_area", "label": "Which product area do you work in?", "kind": "short_text",
         "required": True},
        {"key": "experience", "label": "Years in product work", "kind": "scale", "scale_min": 0, "scale_max": 10},
    ],
}

# Skills people typically offer or seek, by the kind of work they do: labels of the vocabulary,
# and sometimes a synonym, as people type them ("ML", "stats"); stored canonically.
SKILL_FAMILIES: list[list[str]] = [
    ["Python", "Code review", "Testing", "Cloud infrastructure", "JS"],
    ["Machine learning", "Data analysis", "Statistics", "Python", "ML"],
    ["Leadership", "Public speaking", "Negotiation", "Career planning", "leading teams"],
    ["Research methods", "Writing", "Grant writing", "Statistics", "stats"],
    ["Product management", "User research", "Design systems", "Accessibility", "UX research"],
    ["Security", "Cloud infrastructure", "Testing", "infosec", "devops"],
    ["Entrepreneurship", "Finance", "Networking", "Negotiation", "startups"],
    ["Work-life balance", "Career planning", "Networking", "Public speaking", "presenting"],
]

# The four named accounts' profiles (the ones people sign in as): full and specific.
NAMED_PROFILES: dict[str, dict[str, Any]] = {
    "admin": {
        "headline": "Runs this Mentorkit site for the People team",
        "bio": "I look after the programs, the vocabulary and the people who run them. Write to me "
               "when a tag is missing or a program needs a coordinator.",
        "seniority": "lead", "years_experience": 14, "department": "People", "languages": ["en", "de"],
        "time_zone": "Europe/Berlin", "skills_offered": ["Leadership", "Career planning"], "skills_sought": [],
        "availability": [{"day": 2, "start": "10:00", "end": "12:00"}],
        "links": [{"label": "Intranet page", "url": "https://intranet.example.org/people/ada"}],
    },
    "coordinator": {
        "headline": "Coordinator of the early-career program; former backend engineer",
        "bio": "I pair new engineers with people a few years ahead of them, and check in every month "
               "on how it is going. Matching is half data, half conversation.",
        "seniority": "senior", "years_experience": 9, "department": "Engineering", "languages": ["en", "fr"],
        "time_zone": "Europe/Paris", "skills_offered": ["Career planning", "Code review", "Public speaking"],
        "skills_sought": ["Product management"],
        "availability": [{"day": 0, "start": "14:00", "end": "16:00"}, {"day": 3, "start": "09:30", "end": "11:00"}],
        "links": [{"label": "LinkedIn", "url": "https://www.linkedin.com/in/cora-coordinator-demo"}],
    },
    "mentor": {
        "headline": "Staff engineer, data platform; mentoring since 2018",
        "bio": "I build the pipelines our analysts rely on and spend a day a month reviewing other "
               "teams' designs. I like mentees who bring a concrete problem; we usually end up "
               "talking about how to decide, not what to decide.",
        "seniority": "senior", "years_experience": 12, "department": "Data", "languages": ["en", "es"],
        "time_zone": "Europe/London",
        # "ML" and "py" are synonyms: stored as Machine learning and Python.
        "skills_offered": ["ML", "py", "Data analysis", "Code review", "Leadership"],
        "skills_sought": ["Public speaking"],
        "availability": [{"day": 1, "start": "16:00", "end": "18:00"}, {"day": 3, "start": "08:30", "end": "09:30"}],
        "links": [{"label": "Blog", "url": "https://morgan.example.org"}],
        "visibility": {"bio": "signed_in", "availability": "members"},
    },
    "mentee": {
        "headline": "Junior data engineer, eight months in",
        "bio": "I moved from a physics degree into data engineering. I want to get faster at "
               "debugging pipelines, more confident in code review, and understand where my "
               "career could go from here.",
        "seniority": "junior", "years_experience": 1, "department": "Data", "languages": ["en", "pt"],
        "time_zone": "America/Sao_Paulo",
        # "ML", "career development" and "presenting" are synonyms typed by the person.
        "skills_offered": ["Python"],
        "skills_sought": ["ML", "Code review", "career development", "presenting"],
        "availability": [{"day": 1, "start": "13:00", "end": "15:00"}, {"day": 4, "start": "12:00", "end": "14:00"}],
        "visibility": {"years_experience": "staff", "department": "members"},
    },
}

# Who may see what, for people who changed it (the rest keep the defaults).
VISIBILITY_CHOICES: list[dict[str, str]] = [
    {},
    {"bio": "signed_in"},
    {"department": "staff", "seniority": "staff"},
    {"availability": "staff", "time_zone": "staff"},
    {"headline": "members", "skills": "members"},
]

# Answers people give, by question key (and, where the roles differ, by role).
LONG_ANSWERS: dict[str, list[str]] = {
    "goals:mentee": GOALS,
    "goals:mentor": [
        "Help someone through their first year the way someone helped me.",
        "Get better at coaching rather than telling.",
        "Share what I learnt moving from individual work into leading a team.",
        "Practise giving feedback that is specific and kind.",
    ],
    "motivation:mentee": [
        "I was just made team lead and want a sounding board outside my reporting line.",
        "I want to prepare for a director role within two years and need to be seen more widely.",
        "I keep being told I am 'not strategic enough' and want to understand what that means.",
        "I lead a small team and want to learn to negotiate for it: headcount, budget, scope.",
        "I am the only woman in my department's leadership meeting and would like advice on influence.",
    ],
    "motivation:mentor": [
        "I had two mentors early in my career and both changed its course; I want to do the same.",
        "I have led teams for fifteen years and want to help more women into senior roles.",
        "Mentoring keeps me honest about how I lead; I learn as much as I give.",
    ],
}
SHORT_ANSWERS: dict[str, list[str]] = {
    "role_title:mentee": ["Team lead, payments", "Engineering manager", "Senior analyst", "Product owner",
                          "Head of a research group", "Operations lead"],
    "role_title:mentor": ["VP Engineering", "Director of Research", "Chief Operating Officer",
                          "Head of Product", "Partner, legal"],
    "field": ["Computational biology", "Education research", "Human-computer interaction", "Climate modelling",
              "Labour economics", "Materials science", "Public health", "Computational linguistics"],
    "product_area": ["Payments", "Onboarding", "Search"],
}
TAG_ANSWERS: dict[str, list[str]] = {
    "methods": ["Research methods", "Statistics", "methodology", "Writing", "Data analysis", "stats",
                "Grant writing"],
}

# The program a coordinator is still designing (a draft: nobody can enrol yet).
DRAFT_PROGRAM = ("product-pilot", "Product mentoring pilot",
                 "A first try at pairing product managers across teams; still being designed.")
GROUP_PROGRAM = ("engineering-circles", "Engineering circles",
                 "Small circles of engineers meet monthly with an experienced lead; join any time.")
CIRCLE_MENTEE_LIMIT = 8
SELF_MATCHING_PROGRAM = ("find-a-mentor", "Find your mentor",
                         "Mentees pick a mentor from suggestions and ask them; mentors accept or decline.")

# SMART goals the demo's mentees set with their mentors: what, how it is measured, the target.
SMART_GOALS = [
    ("Give a talk at the engineering all-hands", "talks given", 1),
    ("Ship a feature end to end", "features shipped", 2),
    ("Read three books on software design", "books read", 3),
    ("Run the team's retrospective", "retrospectives run", 4),
    ("Write design documents for new work", "design documents", 3),
    ("Pair with a colleague from another team", "pairing sessions", 6),
]
