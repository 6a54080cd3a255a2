"""The demo people, kept free of Django models so the partner simulators can know them too.

Every ID number here is valid under GB 11643 (sbcard.idnumbers builds them; tests/test_demo_data.py checks
them with an independent implementation), and the README's demo table shows them.
"""

import datetime
import hashlib

from partners.simulator import luhn_check_digit
from sbcard.idnumbers import make_resident_id


def resident_id(region: str, birth_date: datetime.date, sequence: int) -> str:
    return make_resident_id(region, birth_date, sequence)


# phone, name, region, birth date, sequence, scenario in the demo data
DEMO_CITIZENS = [
    ("13800000001", "张伟", "330106", datetime.date(1988, 3, 12), 101, "draft"),
    ("13800000002", "李娜", "330104", datetime.date(1992, 7, 1), 202, "submitted"),
    ("13800000003", "王芳", "330102", datetime.date(1979, 11, 23), 302, "returned"),
    ("13800000004", "刘洋", "330105", datetime.date(1995, 5, 5), 411, "overdue"),
    ("13800000005", "陈静", "330106", datetime.date(1985, 2, 14), 522, "guardian"),
    ("13800000006", "杨磊", "330108", datetime.date(1990, 9, 9), 631, "approved"),
    ("13800000007", "赵敏", "330110", datetime.date(1983, 12, 30), 742, "withdrawn"),
    ("13800000008", "孙丽", "330106", datetime.date(1993, 4, 2), 822, "registry_mismatch"),
    ("13800000009", "周婕", "330104", datetime.date(1987, 8, 19), 924, "bank_mismatch"),
]
DEMO_CHILD = ("陈小雨", "330106", datetime.date(2021, 4, 18), 528)

# phone, name, region, birth date, sequence, the card's state in the demo (issuance/demo.py)
DEMO_CARD_HOLDERS = [
    ("13800000021", "郑建国", "330102", datetime.date(1958, 10, 1), 131, "issued"),
    ("13800000022", "何美玲", "330104", datetime.date(1975, 6, 18), 242, "active"),
    ("13800000023", "许文强", "330105", datetime.date(1982, 1, 9), 353, "pre_reported_lost"),
    ("13800000024", "冯晓梅", "330106", datetime.date(1991, 3, 27), 464, "reported_lost"),
    ("13800000025", "邓志远", "330108", datetime.date(1969, 12, 5), 575, "replaced"),
    ("13800000026", "曹雪芬", "330110", datetime.date(1986, 7, 7), 686, "exchanged"),
    # three replacements in the last 12 months and a fourth waiting for the review (issue 20, SSA's count)
    ("13800000027", "蒋国华", "330102", datetime.date(1972, 4, 16), 797, "frequent_replacements"),
]
# 何美玲's son, under 16: his card applied for by her with a proof of guardianship, so his e-card is on her phone
DEMO_ECARD_CHILD = ("郑小川", "330104", datetime.date(2014, 9, 1), 257, "13800000022")

# The demo employer's staff on its rosters (rosters/demo.py): generated people, as the roster template's
# sample rows make them (rosters/samples.py), one birth date for all.
ROSTER_STAFF_REGION = "330108"
ROSTER_STAFF_FIRST_BIRTH = datetime.date(1975, 3, 1)
ROSTER_STAFF_COUNT = 25
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = ["伟", "芳", "娜", "敏", "静", "磊", "洋", "艳", "勇", "军", "杰", "娟", "涛", "明", "超", "堃", "秀英", "桂英"]

# The agent who collects the demo employer's cards shows the GB 11643 standard's own example number.
ROSTER_AGENT_ID_NUMBER = "11010519491231002X"

# How the partners know the demo people; where they differ from the portal, the demo shows a refusal.
REGISTRY_NAMES = {"13800000008": "孙莉"}  # the information centre spells her name differently
BANK_NAMES = {"13800000009": "周杰"}  # the bank's customer record has another name
BANK_IDENTIFICATION = "621700"  # the partner bank's card BIN (partners/bank/simulator.py)


def sample_person(index: int, *, region: str, first_birth: datetime.date, make_number=make_resident_id) -> dict:
    """The `index`-th generated person: 1,000 a birth date, one birth date a day from `first_birth`."""
    birth = first_birth + datetime.timedelta(days=index // 1000)
    return {
        "name": SURNAMES[index % len(SURNAMES)] + GIVEN[(index // len(SURNAMES)) % len(GIVEN)],
        "id_number": make_number(region, birth, index % 1000),
    }


def demo_roster_staff() -> list[dict]:
    return [
        sample_person(index, region=ROSTER_STAFF_REGION, first_birth=ROSTER_STAFF_FIRST_BIRTH)
        for index in range(ROSTER_STAFF_COUNT)
    ]


def demo_card_account(id_number: str) -> str:
    """The bank account of a demo card: 19 digits with a Luhn check digit, at the bank simulator from the start."""
    digits = int(hashlib.sha256(id_number.encode()).hexdigest(), 16) % 10**11
    payload = f"{BANK_IDENTIFICATION}9{digits:011d}"
    return payload + luhn_check_digit(payload)


def demo_registry_records() -> list[dict]:
    """Everyone the demo portal knows, as the city information centre knows them."""
    people = [
        (REGISTRY_NAMES.get(phone, name), resident_id(region, birth, sequence))
        for phone, name, region, birth, sequence, _scenario in DEMO_CITIZENS + DEMO_CARD_HOLDERS
    ]
    name, region, birth, sequence = DEMO_CHILD
    people.append((name, resident_id(region, birth, sequence)))
    name, region, birth, sequence, _guardian = DEMO_ECARD_CHILD
    people.append((name, resident_id(region, birth, sequence)))
    people += [(person["name"], person["id_number"]) for person in demo_roster_staff()]
    return [
        {"id_number": number, "name": name, "household_city": "杭州市", "has_id_photo": True} for name, number in people
    ]


def demo_bank_customers() -> list[dict]:
    return [
        {"id_number": resident_id(region, birth, sequence), "name": BANK_NAMES[phone]}
        for phone, _name, region, birth, sequence, _scenario in DEMO_CITIZENS
        if phone in BANK_NAMES
    ]


def demo_bank_accounts() -> list[dict]:
    """The demo cards' accounts (the card holders', the demo employer's staff's), so the bank hears of their
    losses, unreports and replacements."""
    people = [
        (name, resident_id(region, birth, sequence)) for _p, name, region, birth, sequence, _s in DEMO_CARD_HOLDERS
    ]
    name, region, birth, sequence, _guardian = DEMO_ECARD_CHILD
    people.append((name, resident_id(region, birth, sequence)))
    people += [(person["name"], person["id_number"]) for person in demo_roster_staff()]
    return [{"account_number": demo_card_account(number), "id_number": number, "name": name} for name, number in people]
