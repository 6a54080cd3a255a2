"""Rules 12-15 with their working-day arithmetic across the 2026 National Day holiday, with time travel."""

import datetime

import pytest
import time_machine
from django.test import Client

from applications.models import ApplicationKind, CityPolicy, Person, Status
from applications.services import approve_application, submit_application
from issuance import services
from issuance.certificates import certificate_pdf, certificate_token, check_certificate
from issuance.models import Card, CardStatus, LossReport
from issuance.tasks import lapse_oral_loss_reports, tell_bank
from notices.models import Notice
from sbcard.errors import Conflict, InvalidInput
from tests import factories, oracles

pytestmark = pytest.mark.django_db


def at(year, month, day, hour=10):
    return time_machine.travel(datetime.datetime(year, month, day, hour - 8, tzinfo=datetime.UTC))


@pytest.fixture
def active_card(alice_citizen, station):
    return factories.make_card(alice_citizen, station, status=CardStatus.ACTIVE)


def test_oral_report_online_gives_the_exact_working_day_deadline_and_lapses_after_it(alice_citizen, active_card):
    # Tue 29 Sep 2026: 30 Sep, then 1-7 Oct are the National Day holiday, so 8 and 9 Oct.
    with at(2026, 9, 29):
        report = services.report_loss_orally(active_card.pk, actor=alice_citizen, channel="online")
    assert report.written_deadline == datetime.date(2026, 10, 9)
    active_card.refresh_from_db()
    assert active_card.status == CardStatus.PRE_REPORTED_LOST

    with at(2026, 10, 8):
        assert lapse_oral_loss_reports() == 0
    with at(2026, 10, 9):  # the last day: the holder is warned, nothing lapses yet
        assert lapse_oral_loss_reports() == 0
        assert Notice.objects.filter(kind="loss_lapse_warning", recipient=alice_citizen, channel="portal").count() == 1
    with at(2026, 10, 10):  # a Saturday, but a make-up working day: it lapses
        assert lapse_oral_loss_reports() == 1
    active_card.refresh_from_db()
    assert active_card.status == CardStatus.ACTIVE
    assert LossReport.objects.get(pk=report.pk).lapsed_at is not None


def test_a_phone_report_checks_the_callers_details(bob_clerk, active_card):
    with pytest.raises(InvalidInput) as error:
        services.report_loss_orally(
            active_card.pk, actor=bob_clerk, channel="hotline", name="别人", id_number=active_card.person.id_number
        )
    assert error.value.code == "caller_mismatch"

    report = services.report_loss_orally(
        active_card.pk,
        actor=bob_clerk,
        channel="hotline",
        name=active_card.person.name,
        id_number=active_card.person.id_number,
        employer="示例公司",
        phone="13800000000",
    )
    assert report.channel == "hotline" and report.caller_employer == "示例公司"


def test_a_second_oral_report_is_a_409_with_the_current_state(alice_citizen, active_card):
    services.report_loss_orally(active_card.pk, actor=alice_citizen, channel="online")

    with pytest.raises(Conflict) as error:
        services.report_loss_orally(active_card.pk, actor=alice_citizen, channel="online")

    assert error.value.extra["status"] == CardStatus.PRE_REPORTED_LOST
    assert LossReport.objects.count() == 1


def test_a_written_report_takes_effect_at_once_and_the_bank_is_told(partners, bob_clerk, active_card, monkeypatch):
    with partners["bank"].lock:
        partners["bank"].accounts[active_card.application.bank_account_number] = {"id_number": "x", "name": "x"}

    services.report_loss_in_writing(active_card.pk, actor=bob_clerk, presented_id_number=active_card.person.id_number)

    active_card.refresh_from_db()
    assert active_card.status == CardStatus.REPORTED_LOST
    event = active_card.events.get(event="report_lost_in_writing")
    tell_bank(event.pk)
    assert [(n["notice"], n["kind"]) for n in partners["bank"].notices] == [("loss_report", "written")]


def test_unreport_needs_the_holder_and_no_replacement(bob_clerk, alice_citizen, active_card):
    services.report_loss_orally(active_card.pk, actor=alice_citizen, channel="online")
    with pytest.raises(InvalidInput):
        services.unreport_loss(active_card.pk, actor=bob_clerk, presented_id_number=factories.next_id_number())

    services.apply_for_replacement(active_card.pk, actor=alice_citizen)  # online, still a draft
    with pytest.raises(Conflict) as error:
        services.unreport_loss(active_card.pk, actor=bob_clerk, presented_id_number=active_card.person.id_number)
    assert "replacement" in error.value.message or "补" in error.value.message


def test_replacement_at_a_station_by_a_proxy_retires_the_old_card(bob_clerk, alice_citizen, active_card):
    services.report_loss_orally(active_card.pk, actor=alice_citizen, channel="online")
    with pytest.raises(InvalidInput):
        services.apply_for_replacement(
            active_card.pk,
            actor=bob_clerk,
            presented_id_number=active_card.person.id_number,
            proxy=services.ProxyDetails(name="代办人"),  # a proxy without their own ID
        )

    application = services.apply_for_replacement(
        active_card.pk,
        actor=bob_clerk,
        presented_id_number=active_card.person.id_number,
        proxy=services.ProxyDetails(name="代办人", id_number=factories.next_id_number()),
    )

    assert application.kind == ApplicationKind.REPLACEMENT
    assert application.status == Status.VERIFYING
    assert application.card_change.proxy_name == "代办人"
    active_card.refresh_from_db()
    assert active_card.status == CardStatus.REPLACED
    assert list(active_card.events.values_list("event", flat=True)) == [
        "report_lost_orally",
        "confirm_loss_in_writing",
        "replace",
    ]


def test_an_online_replacement_retires_the_old_card_when_approved(bob_clerk, alice_citizen, active_card):
    services.report_loss_orally(active_card.pk, actor=alice_citizen, channel="online")
    application = services.apply_for_replacement(active_card.pk, actor=alice_citizen)
    submit_application(application.pk, actor=alice_citizen)
    active_card.refresh_from_db()
    assert active_card.status == CardStatus.PRE_REPORTED_LOST

    approve_application(application.pk, actor=bob_clerk)

    active_card.refresh_from_db()
    assert active_card.status == CardStatus.REPLACED


def test_the_new_card_is_due_15_working_days_later(bob_clerk, alice_citizen, active_card):
    from applications.progress import forecast

    with at(2026, 9, 28):
        services.report_loss_orally(active_card.pk, actor=alice_citizen, channel="online")
        application = services.apply_for_replacement(
            active_card.pk, actor=bob_clerk, presented_id_number=active_card.person.id_number
        )
        from applications.models import CardApplication

        CardApplication.objects.filter(pk=application.pk).update(status=Status.IN_PRODUCTION)
        application.refresh_from_db()
        steps = forecast(application)
    # 15 working days from Mon 28 Sep across National Day: 29, 30 Sep, 8, 9, 10 (Sat), 12-16, 19-23 Oct
    assert [s.expected_date for s in steps if s.state == "current"] == [datetime.date(2026, 10, 23)]


def test_pickup_certificate_pdf_and_its_qr_check(bob_clerk, alice_citizen, active_card):
    services.report_loss_orally(active_card.pk, actor=alice_citizen, channel="online")
    application = services.apply_for_replacement(
        active_card.pk, actor=bob_clerk, presented_id_number=active_card.person.id_number
    )

    pdf = certificate_pdf(application)
    assert pdf.startswith(b"%PDF") and len(pdf) > 2000
    token = certificate_token(application)
    assert check_certificate(token).current

    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    assert not check_certificate(forged).genuine
    page = Client().get(f"/verify/certificate/{forged}/")
    assert page.status_code == 404 and "verdict" in page.content.decode()

    with time_machine.travel(datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(days=120)):
        expired = check_certificate(token)
    assert expired.genuine and not expired.current


def test_the_certificate_embeds_a_chinese_font(bob_clerk, alice_citizen, active_card):
    services.report_loss_orally(active_card.pk, actor=alice_citizen, channel="online")
    application = services.apply_for_replacement(
        active_card.pk, actor=bob_clerk, presented_id_number=active_card.person.id_number
    )
    pdf = certificate_pdf(application)
    # the system's WenQuanYi font embedded, or reportlab's built-in Chinese font as the fallback
    assert b"/FontFile2" in pdf or b"STSong-Light" in pdf


def test_instant_issuance_station_replaces_at_once(alice_citizen, station):
    from accounts.models import ServiceStation

    ServiceStation.objects.filter(pk=station.pk).update(instant_issuance=True)
    station.refresh_from_db()
    clerk = factories.make_clerk(station)
    card = factories.make_card(alice_citizen, station, status=CardStatus.ACTIVE)
    services.report_loss_orally(card.pk, actor=alice_citizen, channel="online")

    application = services.apply_for_replacement(
        card.pk, actor=clerk, presented_id_number=card.person.id_number, issue_now=True
    )

    assert application.status == Status.READY_FOR_PICKUP and application.card_number.startswith("L")
    new_card = services.hand_over_card(application.pk, actor=clerk, presented_id_number=card.person.id_number)
    assert new_card.status == CardStatus.ISSUED
    assert Card.objects.get(pk=card.pk).status == CardStatus.REPLACED


def test_instant_issuance_is_refused_at_an_ordinary_station(bob_clerk, alice_citizen, active_card):
    services.report_loss_orally(active_card.pk, actor=alice_citizen, channel="online")

    with pytest.raises(Conflict):
        services.apply_for_replacement(
            active_card.pk, actor=bob_clerk, presented_id_number=active_card.person.id_number, issue_now=True
        )


def test_exchange_for_damage_and_for_a_changed_name(bob_clerk, active_card):
    application = services.apply_for_exchange(active_card.pk, actor=bob_clerk, reason="name_changed", new_name="王晓丽")

    active_card.refresh_from_db()
    assert application.kind == ApplicationKind.EXCHANGE and active_card.status == CardStatus.EXCHANGED
    assert Person.objects.get(pk=active_card.person_id).name == "王晓丽"


def test_a_15_to_18_digit_upgrade_needs_no_exchange(bob_clerk, alice_citizen, station):
    # The card was issued under a 15-digit number, stored upgraded to 18.
    old15 = "330106850615123"
    upgraded = oracles.with_check("33010619850615123")  # GB 11643: "19" before the year, then the check
    Person.objects.filter(pk=alice_citizen.person.pk).update(id_number=upgraded)
    card = factories.make_card(alice_citizen, station, status=CardStatus.ACTIVE)

    for presented in (upgraded, old15):  # the new number, or the old card's 15 digits
        with pytest.raises(InvalidInput) as error:
            services.apply_for_exchange(card.pk, actor=bob_clerk, reason="id_number_changed", new_id_number=presented)

    assert error.value.code == "id_upgrade_needs_no_exchange"
    card.refresh_from_db()
    assert card.status == CardStatus.ACTIVE


def test_activation_sets_the_default_swipe_limit_and_changes_are_kept(bob_clerk, alice_citizen, station):
    card = factories.make_card(alice_citizen, station)

    services.activate_card(card.pk, actor=bob_clerk)
    services.change_swipe_limit(card.pk, actor=alice_citizen, swipe_limit=4, channel="online")
    with pytest.raises(InvalidInput):
        services.change_swipe_limit(card.pk, actor=alice_citizen, swipe_limit=0, channel="online")

    card.refresh_from_db()
    assert card.status == CardStatus.ACTIVE and card.swipe_limit == 4
    assert [(c.old_limit, c.new_limit, c.channel) for c in card.swipe_limit_changes.all()] == [
        (None, 2, "activation"),
        (2, 4, "online"),
    ]


def test_the_activation_form_offers_the_citys_default_limit(bob_clerk, alice_citizen, station):
    policy = CityPolicy.current()
    policy.default_swipe_limit = 4
    policy.save()
    card = factories.make_card(alice_citizen, station)
    client = Client()
    client.force_login(bob_clerk)

    page = client.get(f"/window/cards/{card.pk}/").content.decode()

    assert 'name="swipe_limit" value="4"' in page


def test_the_citizen_card_page_shows_colour_uses_and_the_password_reminder(alice_citizen, active_card):
    client = Client()
    client.force_login(alice_citizen)

    page = client.get("/cards/").content.decode()

    assert active_card.number in page
    assert "药店" in page  # blue card: hospitals and pharmacies (rule 11)
    assert "初始" in page and "密码" in page  # rule 20


def test_dates_in_a_year_whose_holidays_are_not_published_say_so_everywhere(
    bob_clerk, alice_citizen, active_card, monkeypatch
):
    # The issue's case: a loss reported on Wednesday 30 December 2026, before the 2027 schedule is entered.
    from issuance.notifications import notify_card_event
    from sbcard import pdf

    provisional = "暂定：2027年节假日安排尚未公布"
    with at(2026, 12, 30):
        report = services.report_loss_orally(active_card.pk, actor=alice_citizen, channel="online")
        # 31 Dec; 1 January 2027 is New Year's Day by the holiday law; then 4 and 5 January.
        assert report.written_deadline == datetime.date(2027, 1, 5)
        citizen = Client()
        citizen.force_login(alice_citizen)
        assert f'2027-01-05 <span class="provisional">（{provisional}）' in citizen.get("/cards/").content.decode()
        notify_card_event(active_card.events.get(event="report_lost_orally").pk)
        notice = Notice.objects.get(kind="card_report_lost_orally", recipient=alice_citizen, channel="portal")
        assert f"2027-01-05（{provisional}）" in notice.text

        application = services.apply_for_replacement(
            active_card.pk, actor=bob_clerk, presented_id_number=active_card.person.id_number
        )
        drawn = []
        real_render = pdf.render

        def recording_render(draw, *, title):
            def draw_and_record(canvas, font):
                original = canvas.drawString
                canvas.drawString = lambda x, y, text, *a, **k: drawn.append(text) or original(x, y, text, *a, **k)
                draw(canvas, font)

            return real_render(draw_and_record, title=title)

        monkeypatch.setattr("issuance.certificates.render", recording_render)
        certificate_pdf(application)
        # 15 working days from 30 December: 31 Dec, then 4-8, 11-15 and 18-21 January 2027.
        assert f"新卡预计制成：2027年01月21日（{provisional}）（15个工作日）" in drawn
        clerk = Client()
        clerk.force_login(bob_clerk)
        review = clerk.get(f"/station/applications/{application.pk}/").content.decode()
        # the information centre's check, 2 working days: 31 December, 4 January 2027
        assert "2027-01-04" in review and provisional in review
