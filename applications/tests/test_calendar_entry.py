"""An admin enters a year in one step from the State Council's notice: the notice's own text is read (the 2024,
2025 and 2026 notices as published, in notices/), open deadlines are recomputed and whoever's date moved is told.

Truth comes from outside: each parsed year is compared with the chinesecalendar package day by day, and the
moved dates below are counted by hand on the 2026 notice (14 February 2026, a Saturday, was worked)."""

import datetime
from pathlib import Path
from unittest import mock

import chinese_calendar
import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from applications.calendar import NoticeError, enter_year, parse_notice
from applications.models import CalendarDay, CardApplication
from applications.workdays import forget_calendar, is_provisional
from issuance import services as issuance_services
from issuance.models import Appointment, LossReport
from notices.models import Notice
from rosters.models import RosterBatch
from tests import factories

D = datetime.date
NOTICES = Path(__file__).parent / "notices"


def notice(year: int) -> str:
    return (NOTICES / f"{year}.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize("year", [2024, 2025, 2026])
def test_the_published_notice_is_read_as_the_official_calendar(year):
    schedule = parse_notice(notice(year), year)

    day = D(year, 1, 1)
    while day.year == year:
        read = day in schedule.working_days or (day.weekday() < 5 and day not in schedule.holidays)
        assert read == chinese_calendar.is_workday(day), day
        day += datetime.timedelta(days=1)
    assert all(day.weekday() >= 5 for day in schedule.working_days)


def test_the_wrong_year_is_caught_by_the_weekdays_the_notice_gives():
    with pytest.raises(NoticeError) as error:
        parse_notice(notice(2025), 2026)  # the 2025 notice entered as 2026

    assert any("2026-01-28" in problem and "周二" in problem for problem in error.value.problems)


def test_nonsense_is_refused_with_each_problem_named():
    text = "一、元旦：1月1日放假。\n二、春节：2月30日至3月2日放假。\n三、调休：3月4日（周三）上班。"

    with pytest.raises(NoticeError) as error:
        parse_notice(text, 2026)

    problems = " ".join(error.value.problems)
    assert "2月30日" in problems and "2026-03-04" in problems


def _without_2026():
    """A city that has not entered 2026: its working days there are provisional."""
    CalendarDay.objects.filter(date__year=2026).delete()
    forget_calendar()


@pytest.fixture
def city_before_2026_is_entered(db, station, bob_clerk, carol_employer):
    _without_2026()
    citizen = factories.make_citizen("林晓")
    card = factories.make_card(citizen, station, status="active")
    in_production = factories.force_status(
        factories.make_application(factories.make_citizen(), station), "in_production"
    )
    submitted = factories.make_application(factories.make_citizen(), station, submit=True)
    CardApplication.objects.filter(pk=in_production.pk).update(
        status_changed_at=datetime.datetime(2026, 2, 2, 10, tzinfo=datetime.UTC)
    )
    CardApplication.objects.filter(pk=submitted.pk).update(
        status_changed_at=datetime.datetime(2026, 2, 10, 10, tzinfo=datetime.UTC),
        submitted_at=datetime.datetime(2026, 2, 10, 10, tzinfo=datetime.UTC),
    )
    batch = RosterBatch.objects.create(
        employer=carol_employer.employer,
        station=station,
        created_by=carol_employer,
        state=RosterBatch.State.SUBMITTED,
        file_name="名册.xlsx",
        file_format="xlsx",
        file_sha256="0" * 64,
        fee_reference="FEE2026",
        paid_at=datetime.datetime(2026, 2, 2, 10, tzinfo=datetime.UTC),
        pickup_date=D(2026, 3, 10),  # 20 working days on, as provisionally counted
    )
    return {"citizen": citizen, "card": card, "in_production": in_production, "submitted": submitted, "batch": batch}


@time_machine.travel(datetime.datetime(2026, 2, 13, 9, tzinfo=datetime.UTC))
def test_entering_the_2026_notice_moves_the_open_deadlines_and_tells_each_person(
    city_before_2026_is_entered, admin_user, client
):
    world = city_before_2026_is_entered
    report = issuance_services.report_loss_orally(world["card"].pk, actor=world["citizen"], channel="online")
    # Provisionally 14 February (Saturday) is a rest day: 24, 25, 26 February after the Spring Festival week.
    assert report.written_deadline == D(2026, 2, 26) and is_provisional(report.written_deadline)
    client.force_login(world["citizen"])
    assert (
        '2026-02-26 <span class="provisional">（暂定：2026年节假日安排尚未公布）'
        in client.get("/cards/").content.decode()
    )
    client.force_login(admin_user)

    response = client.post(
        "/admin/applications/calendarday/enter-year/",
        {"year": 2026, "notice": "", "notice_file": SimpleUploadedFile("通知.txt", notice(2026).encode("gb18030"))},
        follow=True,
    )

    assert response.status_code == 200
    report.refresh_from_db()
    assert report.written_deadline == D(2026, 2, 25)  # 14 Feb (Sat) worked: 14, 24, 25 February
    assert not is_provisional(report.written_deadline)
    assert RosterBatch.objects.get(pk=world["batch"].pk).pickup_date == D(2026, 3, 6)  # 14 and 28 Feb worked
    moved = Notice.objects.filter(kind="date_moved", channel=Notice.Channel.PORTAL)
    texts = {notice.reference: notice.text for notice in moved}  # what each notice is about
    loss, in_production = texts[world["card"].application.reference], texts[world["in_production"].reference]
    assert "2026-02-25" in loss and "2026-02-26" in loss
    assert "2026-03-06" in in_production and "2026-03-10" in in_production
    assert "2026-02-26" in texts[world["submitted"].reference] and "2026-02-27" in texts[world["submitted"].reference]
    assert moved.filter(recipient=world["batch"].created_by, text__contains="2026-03-06").exists()
    sms = set(Notice.objects.filter(kind="date_moved", channel=Notice.Channel.SMS).values_list("pk", flat=True))
    assert sms  # and one job sends them, not a message per SMS from the admin's request:
    from notices import tasks as notice_tasks

    sent = []
    with mock.patch.object(notice_tasks.send_sms, "delay", sent.append):
        notice_tasks.queue_pending_sms.apply(args=["date_moved"])
    assert set(sent) == sms
    assert set(CalendarDay.objects.filter(date__year=2026).values_list("source", flat=True)) == {"admin"}
    assert (
        "申请环节 2 个，挂失书面确认期限 1 个，落在新节假日的预约 0 个，单位批次领卡日期 1 个"
        in response.content.decode()
    )


@time_machine.travel(datetime.datetime(2026, 11, 27, 9, tzinfo=datetime.UTC))
def test_an_appointment_on_a_day_the_entered_year_makes_a_holiday_is_told(db, station, bob_clerk, admin_user):
    # A made-up notice for 2027 (not the real one), in the published format: it puts Thursday 11 February off.
    made_up = "二、春节：2月5日（农历除夕、周五）至11日（周四）放假调休，共7天。2月20日（周六）上班。"
    appointment = Appointment.objects.create(
        station=station,
        date=D(2027, 2, 11),
        name="周一鸣",
        id_number=factories.next_id_number(),
        phone="13912345678",
        booked_by=bob_clerk,
    )

    entered = enter_year(2027, made_up, actor=admin_user)

    assert entered.moved["appointment"] == 1 and entered.holidays == 7 and entered.working_days == 1
    sms = Notice.objects.get(kind="date_moved", phone="13912345678")
    assert "2027-02-11" in sms.text and station.name in sms.text
    appointment.refresh_from_db()
    assert appointment.state == Appointment.State.BOOKED  # the station rearranges it with the caller


def test_a_bad_notice_saves_nothing_and_names_each_problem(db, admin_user, client):
    client.force_login(admin_user)
    before = CalendarDay.objects.count()

    response = client.post("/admin/applications/calendarday/enter-year/", {"year": 2026, "notice": notice(2025)})

    assert response.status_code == 400
    assert "2026-01-28" in response.content.decode()
    assert CalendarDay.objects.count() == before


def test_only_city_admins_enter_a_year(db, bob_clerk, client):
    client.force_login(bob_clerk)
    response = client.post("/admin/applications/calendarday/enter-year/", {"year": 2026, "notice": notice(2026)})
    assert response.status_code in (302, 403)
    assert not CalendarDay.objects.filter(source="admin").exists()


@time_machine.travel(datetime.datetime(2025, 1, 24, 9, tzinfo=datetime.UTC))
def test_entering_a_year_again_as_published_moves_nobodys_date(db, station, admin_user):
    citizen = factories.make_citizen()
    card = factories.make_card(citizen, station, status="active")
    report = issuance_services.report_loss_orally(card.pk, actor=citizen, channel="online")
    assert report.written_deadline == D(2025, 2, 5)  # 26 Jan (Sun) worked, 28 Jan - 4 Feb off

    entered = enter_year(2025, notice(2025), actor=admin_user)

    assert entered.moved == {"application": 0, "loss_report": 0, "appointment": 0, "roster_batch": 0}
    assert LossReport.objects.get(pk=report.pk).written_deadline == D(2025, 2, 5)
    assert not Notice.objects.filter(kind="date_moved").exists()
