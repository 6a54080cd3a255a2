"""Demo data: two stations, an employer, a clerk per station, an admin, and citizens with applications.

Safe to run again: it does nothing when the demo admin exists. The README lists the logins.
"""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import Employer, Role, ServiceStation, User
from applications import services
from applications.models import CardApplication, CityPolicy, InsuranceType, Relationship, StatusEvent
from applications.services import sign_up_citizen
from demo.cards import load_card_demo
from demo.ecards import load_ecard_demo
from demo.people import DEMO_CHILD, DEMO_CITIZENS, resident_id
from demo.photos import make_id_photo
from demo.rosters import load_roster_demo

DEMO_PASSWORD = "Sbcard-demo-2026"  # noqa: S105 - published demo logins, listed in the README


def photo_upload() -> SimpleUploadedFile:
    return SimpleUploadedFile("photo.jpg", make_id_photo(), content_type="image/jpeg")


class Command(BaseCommand):
    help = "Load the demo stations, staff and citizens (idempotent)."

    def handle(self, *args, **options):
        if User.objects.filter(username="admin").exists():
            with transaction.atomic():
                loaded = self._load_rosters()  # a database loaded before the employer rosters existed
                ecards = self._load_ecards()  # or before the e-cards
            added = (" Added the roster batches." if loaded else "") + (" Added the e-cards." if ecards else "")
            self.stdout.write("Demo data already loaded." + added)
            return
        with transaction.atomic():
            self._load()
        self.stdout.write(self.style.SUCCESS("Demo data loaded. Password for every demo login: " + DEMO_PASSWORD))

    def _load(self) -> None:
        CityPolicy.current()
        central = ServiceStation.objects.create(
            code="S001",
            name="市民中心服务站",
            district="上城区",
            address="解放东路18号市民中心B座1楼",
            phone="0571-12333",
            opening_hours="周一至周五 9:00-17:00",
            instant_issuance=True,
        )
        hightech = ServiceStation.objects.create(
            code="S002",
            name="高新区服务站",
            district="滨江区",
            address="江南大道3850号",
            phone="0571-12333",
            opening_hours="周一至周六 9:00-17:00",
        )
        employer = Employer.objects.create(
            name="杭州示例科技有限公司",
            credit_code="91310000MA1FL8TQ36",
            station=hightech,
            is_approved=True,
            contact_phone="0571-88888888",
        )
        User.objects.create_superuser("admin", password=DEMO_PASSWORD, role=Role.ADMIN, full_name="系统管理员")
        clerk_central = User.objects.create_user(
            "clerk1", password=DEMO_PASSWORD, role=Role.CLERK, station=central, full_name="周经办"
        )
        User.objects.create_user(
            "clerk2", password=DEMO_PASSWORD, role=Role.CLERK, station=hightech, full_name="吴经办"
        )
        User.objects.create_user(
            "agent1", password=DEMO_PASSWORD, role=Role.EMPLOYER_AGENT, employer=employer, full_name="郑专员"
        )
        for phone, name, region, birth, sequence, scenario in DEMO_CITIZENS:
            user = sign_up_citizen(
                name=name,
                id_number=resident_id(region, birth, sequence),
                phone=phone,
                password=DEMO_PASSWORD,
                code=None,
            )
            self._scenario(user, scenario, central, clerk_central)
        load_card_demo(station=central, clerk=clerk_central, password=DEMO_PASSWORD)
        self._load_rosters()
        self._load_ecards()

    def _load_ecards(self) -> bool:
        """The demo pharmacy and hospital, their staff logins, and e-cards to open (demo/ecards.py)."""
        clerk = User.objects.filter(username="clerk1").select_related("station").first()
        if clerk is None or not User.objects.filter(username="13800000022").exists():
            return False
        return load_ecard_demo(station=clerk.station, clerk=clerk, password=DEMO_PASSWORD)

    def _load_rosters(self) -> bool:
        """The demo employer's roster batches, one in each state (rosters/demo.py)."""
        employer = Employer.objects.filter(credit_code="91310000MA1FL8TQ36").first()
        agent = User.objects.filter(username="agent1").first()
        clerk = User.objects.filter(username="clerk2").first()
        if employer is None or agent is None or clerk is None:
            return False
        return bool(load_roster_demo(employer=employer, agent=agent, clerk=clerk))

    def _scenario(self, user: User, scenario: str, station: ServiceStation, clerk: User) -> None:
        common = {
            "station": station,
            "insurance_type": InsuranceType.URBAN_EMPLOYEE,
            "household_city": "杭州市",
            "address": "杭州市上城区望江路100号",
            "phone": user.phone,
        }
        if scenario == "guardian":
            child_name, region, birth, sequence = DEMO_CHILD
            child = services.find_or_create_person(name=child_name, id_number=resident_id(region, birth, sequence))
            application = services.start_application(
                actor=user,
                holder=child,
                relationship=Relationship.MOTHER,
                **{**common, "insurance_type": InsuranceType.URBAN_RURAL_RESIDENT},
            )
            services.attach_guardian_proof(
                application.pk,
                actor=user,
                upload=SimpleUploadedFile("proof.png", make_id_photo(image_format="PNG"), content_type="image/png"),
            )
            services.submit_application(application.pk, actor=user)
            return
        application = services.start_application(actor=user, holder=user.person, **common)
        services.attach_photo(application.pk, actor=user, upload=photo_upload())
        if scenario == "draft":
            return
        services.submit_application(application.pk, actor=user)
        if scenario == "returned":
            services.return_application(
                application.pk, actor=clerk, reason_code="photo", note="照片背景偏灰，请重新上传白底照片。"
            )
        elif scenario == "overdue":
            self._backdate(application, days=12)
        elif scenario in ("approved", "registry_mismatch", "bank_mismatch"):
            services.approve_application(application.pk, actor=clerk)
        elif scenario == "withdrawn":
            services.withdraw_application(application.pk, actor=user)

    def _backdate(self, application: CardApplication, *, days: int) -> None:
        """Move a demo application's history into the past so the review limit shows as passed."""
        shift = datetime.timedelta(days=days)
        when = timezone.now() - shift
        CardApplication.objects.filter(pk=application.pk).update(
            submitted_at=when, status_changed_at=when, created_at=when
        )
        StatusEvent.objects.filter(application=application).update(created_at=F("created_at") - shift)
