"""Seed the working-day calendar from the chinesecalendar package (the years it covers).

Later years are entered by an admin from the State Council's notice; this migration never
overwrites a day an admin entered.
"""

from django.db import migrations


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


def seed(apps, schema_editor):
    import chinese_calendar

    CalendarDay = apps.get_model("applications", "CalendarDay")
    existing = set(CalendarDay.objects.values_list("date", flat=True))
    rows = []
    for day, name in chinese_calendar.holidays.items():
        if day not in existing and day.weekday() < 5:  # a holiday on a weekend changes nothing
            rows.append(CalendarDay(date=day, is_working_day=False, name=CHINESE_NAMES.get(str(name), str(name or "")), source="chinesecalendar"))
    for day, name in chinese_calendar.workdays.items():
        if day not in existing and day.weekday() >= 5:
            rows.append(CalendarDay(date=day, is_working_day=True, name=CHINESE_NAMES.get(str(name), str(name or "")), source="chinesecalendar"))
    CalendarDay.objects.bulk_create(rows, batch_size=500)


def unseed(apps, schema_editor):
    apps.get_model("applications", "CalendarDay").objects.filter(source="chinesecalendar").delete()


class Migration(migrations.Migration):
    dependencies = [("applications", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
