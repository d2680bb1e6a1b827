"""Two kinds of people: learners, and instructors, who are the members of one Django group.

New sign-ups are learners; only an administrator (or `manage.py seed_demo`) makes someone an instructor.
The group itself is created by this app's first migration.
"""

INSTRUCTORS = "instructors"
