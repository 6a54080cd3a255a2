"""The working-day calendar's first rows, from the chinesecalendar package (the years it covers).

Run by the initial migration; later years are entered by an admin from the State Council's notice, and a
day an admin entered is never overwritten.
"""

import chinese_calendar

CHINESE_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "Mid-autumn Festival": "中秋节",
    "National Day": "国庆节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


def seed_calendar(calendar_day_model) -> int:
    """Insert the package's holidays on weekdays and make-up working days on weekends; returns how many."""
    existing = set(calendar_day_model.objects.values_list("date", flat=True))
    rows = []
    for days, is_working_day in ((chinese_calendar.holidays, False), (chinese_calendar.workdays, True)):
        for day, name in days.items():
            # a holiday on a weekend, or a working day in the week, changes nothing
            if day in existing or (day.weekday() >= 5) != is_working_day:
                continue
            rows.append(
                calendar_day_model(
                    date=day,
                    is_working_day=is_working_day,
                    name=CHINESE_NAMES.get(str(name), str(name or "")),
                    source="chinesecalendar",
                )
            )
    calendar_day_model.objects.bulk_create(rows, batch_size=500)
    return len(rows)
