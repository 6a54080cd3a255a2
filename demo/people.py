"""The demo citizens, kept free of Django so the partner simulators can know them too."""

import datetime

from stdnum.cn.ric import calc_check_digit


def resident_id(region: str, birth_date: datetime.date, sequence: int) -> str:
    body = f"{region}{birth_date:%Y%m%d}{sequence:03d}"
    return body + calc_check_digit(body)


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

# How the partners know the demo people; where they differ from the portal, the demo shows a refusal.
REGISTRY_NAMES = {"13800000008": "孙莉"}  # the information centre spells her name differently
BANK_NAMES = {"13800000009": "周杰"}  # the bank's customer record has another name


def demo_registry_records() -> list[dict]:
    records = [
        {
            "id_number": resident_id(region, birth, sequence),
            "name": REGISTRY_NAMES.get(phone, name),
            "household_city": "杭州市",
        }
        for phone, name, region, birth, sequence, _scenario in DEMO_CITIZENS
    ]
    name, region, birth, sequence = DEMO_CHILD
    records.append({"id_number": resident_id(region, birth, sequence), "name": name, "household_city": "杭州市"})
    return records


def demo_bank_customers() -> list[dict]:
    return [
        {"id_number": resident_id(region, birth, sequence), "name": BANK_NAMES[phone]}
        for phone, _name, region, birth, sequence, _scenario in DEMO_CITIZENS
        if phone in BANK_NAMES
    ]
