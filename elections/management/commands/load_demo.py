"""`python manage.py load_demo`: the demo newsroom of `make run`, loaded the way importers load.

Places come from `load_places`; outlets, candidates and claims from the sheets in
elections/demo/ through the same resources as the admin's import; articles through
`import_articles`. Then a reviewer works through the queue the way the demo README tells:
claims verified, disputes resolved with one verdict each, profiles published. Running it again
changes nothing.

Logins with known passwords are created (and printed) only where SOURCEBOOK_DEMO_LOGINS is
on, which only the local settings (`make run`) turn on. DEBUG alone never does: a production
database loaded with the demo, by mistake or before the settings module was exported, gets
the demo's people without a usable password, so nobody can sign in as them.
"""

from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from import_export.command_utils import get_resource_class

from elections.demo_review import review_demo
from sources.sheets import read_sheet_file

DEMO = Path(__file__).resolve().parent.parent.parent / "demo"

LOCAL_LOGINS = [
    ("editor", "editor-local-2011", ["Editors"], False),
    ("reviewer", "reviewer-local-2011", ["Reviewers"], False),
    ("importer", "importer-local-2011", ["Importers"], False),
    ("admin", "admin-local-2011", [], True),
]


class Command(BaseCommand):
    help = "Load the demo newsroom (places, sources, candidates, claims) and local logins."

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-places", action="store_true", help="skip load_places (already loaded)"
        )
        parser.add_argument(
            "--no-logins", action="store_true", help="do not create the local logins"
        )

    def handle(self, *args, no_places, no_logins, **options):
        quiet = {"verbosity": 0}
        if not no_places:
            self.stdout.write("Loading China's 2011 administrative divisions…")
            call_command("load_places", **quiet)
        logins = not no_logins and getattr(settings, "SOURCEBOOK_DEMO_LOGINS", False)
        users = self._logins(create=logins)
        self._sheet("sources.resources.OutletResource", "outlets.csv", users["importer"])
        call_command("import_articles", "--manifest", str(DEMO / "manifest.csv"), **quiet)
        self._sheet("elections.resources.CandidateResource", "candidates.csv", users["importer"])
        self._sheet("elections.resources.ClaimResource", "claims.csv", users["importer"])
        summary = review_demo(reviewer=users["reviewer"], editor=users["editor"])
        self.stdout.write(
            "Demo data: {articles} articles, {candidates} candidates ({published} published), "
            "{claims} claims ({verified} verified), {disputes} disputes ({open} open, "
            "{resolved} resolved).".format(**summary)
        )
        if logins:
            self.stdout.write("Local logins (SOURCEBOOK_DEMO_LOGINS, local settings only):")
            for username, password, roles, _ in LOCAL_LOGINS:
                role = ", ".join(roles) or "superuser"
                self.stdout.write(f"  {username:<9} password {password:<22} {role}")

    def _sheet(self, resource_path, file_name, user):
        resource = get_resource_class(resource_path)()
        dataset = read_sheet_file(DEMO / file_name)
        result = resource.import_data(dataset, dry_run=False, user=user)
        problems = result.problems()
        if problems:
            lines = "\n".join(
                f"  row {number}, {column}: {message}" for number, column, message in problems
            )
            raise CommandError(f"The demo sheet {file_name} did not load:\n{lines}")

    @transaction.atomic
    def _logins(self, *, create):
        """The demo's people: local logins when allowed, else accounts with no usable password."""
        users = {}
        for username, password, roles, superuser in LOCAL_LOGINS:
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User(username=username, is_staff=True, is_superuser=superuser)
                user.set_unusable_password()
                user.save()
            if create and not user.has_usable_password():
                user.set_password(password)
                user.save(update_fields=["password"])
            user.groups.add(*Group.objects.filter(name__in=roles))
            users[username] = user
        return users
