"""placeholder"""


def seed_demo(sb):
    pass


def seed_history(sb, n):
    pass
