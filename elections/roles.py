"""The newsroom's roles as groups: Editors, Reviewers, Importers.

Editors annotate articles, record claims and candidates, and flag contradictions. Reviewers
verify and reject claims, resolve contradictions, publish, withdraw and merge candidates,
and start long tasks (full re-detection, re-anchoring every passage). Importers load
spreadsheets. Every role sees the tasks and their progress. A person may hold more than one
role; none of them can delete sources or claims (that is a superuser's repair, kept out of
daily work).

A migration creates the groups; `sync_roles` also runs after every `migrate` (and after the
database is flushed, as transactional tests do) so the groups always hold exactly these
permissions.
"""

VIEW_ALL = [
    "sources.view_outlet",
    "sources.view_article",
    "sources.view_articleversion",
    "sources.view_passage",
    # Every role sees the long tasks and their progress; Reviewers may start them.
    "sources.view_taskrun",
    "elections.view_place",
    "elections.view_placename",
    "elections.view_election",
    "elections.view_candidate",
    "elections.view_candidatename",
    "elections.view_candidacy",
    "elections.view_candidacystatus",
    "elections.view_claim",
    "elections.view_contradiction",
    "elections.view_candidatemerge",
    "elections.view_candidateproposal",
]

ROLES = {
    "Editors": [
        *VIEW_ALL,
        "sources.add_outlet",
        "sources.change_outlet",
        "sources.add_article",
        "sources.change_article",
        "sources.change_passage",
        "sources.annotate_article",
        "elections.add_placename",
        "elections.change_placename",
        # An alias accepted by mistake, a status step entered by hand in error: editors take
        # back their own entries (each removal is a service, kept in the history).
        "elections.delete_placename",
        "elections.add_candidate",
        "elections.change_candidate",
        "elections.add_candidatename",
        "elections.change_candidatename",
        "elections.delete_candidatename",
        "elections.add_election",
        "elections.change_election",
        "elections.add_candidacy",
        "elections.change_candidacy",
        "elections.add_candidacystatus",
        "elections.change_candidacystatus",
        "elections.delete_candidacystatus",
        "elections.add_claim",
        "elections.change_claim",
        "elections.flag_contradiction",
    ],
    "Reviewers": [
        *VIEW_ALL,
        "elections.verify_claim",
        "elections.change_contradiction",
        "elections.resolve_contradiction",
        "elections.publish_candidate",
        "elections.merge_candidate",
        "sources.run_task",
    ],
    "Importers": [*VIEW_ALL, "elections.import_sheets"],
}


def sync_roles(apps=None, **_signal):
    """Create the role groups and give each exactly its permissions (idempotent)."""
    if apps is None:
        from django.apps import apps
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    wanted = {code for codes in ROLES.values() for code in codes}
    found = {
        f"{app_label}.{codename}": pk
        for pk, app_label, codename in Permission.objects.values_list(
            "pk", "content_type__app_label", "codename"
        )
        if f"{app_label}.{codename}" in wanted
    }
    if len(found) < len(wanted):
        return False  # permissions not created yet: the next post_migrate completes the job
    for name, codes in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set([found[code] for code in codes])
    return True
