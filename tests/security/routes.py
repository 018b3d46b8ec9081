"""The isolation matrix's table: for every route, how to fill it and which role gets what.

Keys are route patterns exactly as Django's resolver prints them, prefixes joined
(tests/security/urlconf.py; the completeness test names any route missing here, with the key
to add). A route's DRF `.json` twin is covered by the route's own entry. Each entry is one or
more probes: a request shape (method, path parameters, query, body) and `grants`, the status
each granted role gets. A role not granted is refused: anonymous visitors are sent to the
login page (pages) or get 401/403 (API); anyone else gets 403 or 404 — and a refused request
writes nothing.

Values starting with "@" are taken from the world (tests/security/world.py): the school's
objects on an organisation's host (`@participant`, `@pair`, …), the registry's on the public
host (`@municipality`, …). Everything else is literal.

Grants follow the code (accounts/permissions.py, tenants/*/views.py and api.py,
regional_dashboard/): members read, managers (director, coordinator) write, a mentor or mentee
sees their own card and pairs. Where the code allows what it must not, the probe says what
must be and `xfail` names the role with the reason (the case is marked xfail strict).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from tests.security.world import (
    ANONYMOUS,
    COORDINATOR,
    DIRECTOR,
    MENTEE,
    MENTOR,
    MUNICIPAL,
    MUNICIPAL_OTHER,
    OPERATOR,
    ROLES,
    SUPERUSER,
    TUTOR,
)

Roles = frozenset[str]

EVERYONE: Roles = frozenset(ROLES)
LOGGED_IN: Roles = EVERYONE - {ANONYMOUS}
MANAGERS: Roles = frozenset({DIRECTOR, COORDINATOR})
MEMBERS: Roles = MANAGERS | {MENTOR, MENTEE}
# The dashboard's scope: the region for the operator, the tutor and the superuser; one
# municipality for a municipal specialist.
REGION_WIDE: Roles = frozenset({OPERATOR, TUTOR, SUPERUSER})
DASHBOARD: Roles = REGION_WIDE | {MUNICIPAL, MUNICIPAL_OTHER}
ONBOARDING: Roles = frozenset({OPERATOR, SUPERUSER})
PEOPLE: Roles = frozenset({OPERATOR, MUNICIPAL, MUNICIPAL_OTHER})


@dataclass(frozen=True)
class Probe:
    method: str  # GET, POST, PATCH, DELETE
    grants: Mapping[int, Roles]  # status → the roles that get it
    params: Mapping[str, str] = field(default_factory=dict)  # path parameters
    query: Mapping[str, str] = field(default_factory=dict)
    data: Mapping[str, str] = field(default_factory=dict)  # form body, or JSON on the API
    label: str = ""  # tells two probes of one route apart
    path: str = ""  # a literal path, for a group of routes (the admin)
    follow: bool = False  # judge the answer at the end of the redirects
    refusal: str = "deny"  # or "login": the refused are redirected to a login page
    xfail: Mapping[str, str] = field(default_factory=dict)  # role → why the code is wrong

    def granted(self, role: str) -> int | None:
        return next((status for status, roles in self.grants.items() if role in roles), None)


def get(grants: Mapping[int, Roles], **options: object) -> Probe:
    return Probe("GET", grants, **options)  # type: ignore[arg-type]


def post(grants: Mapping[int, Roles], **options: object) -> Probe:
    return Probe("POST", grants, **options)  # type: ignore[arg-type]


def patch(grants: Mapping[int, Roles], **options: object) -> Probe:
    return Probe("PATCH", grants, **options)  # type: ignore[arg-type]


def delete(grants: Mapping[int, Roles], **options: object) -> Probe:
    return Probe("DELETE", grants, **options)  # type: ignore[arg-type]


def post_only(roles: Roles, status: int = 302, **options: object) -> tuple[Probe, Probe]:
    """A view behind @require_POST: 405 to a GET of whoever passes the checks before it."""
    params = options.get("params", {})
    return get({405: roles}, params=params), post({status: roles}, **options)


def route_post(
    *,
    roles: Roles = frozenset({MENTOR}),
    params: Mapping[str, str] | None = None,
    **options: object,
) -> tuple[Probe, Probe]:
    """A route's write (@require_POST first): 405 to any member's GET, the teacher's POST."""
    params = params or ROUTE
    return get({405: MEMBERS}, params=params), post(
        {302: roles} if roles else {}, params=params, **options
    )


def wrong_token(**params: str) -> tuple[Probe, ...]:
    """Open routes guarded by a secret in the address: a wrong one is 404 for anyone."""
    return (get({404: EVERYONE}, params=params), post({404: EVERYONE}, params=params))


# Account pages answer on every host to whoever is logged in (their own account), so a member
# of another school or a regional role reaches them on Alpha's host too; they carry no school
# data (the canary check covers that).
ACCOUNT_ROUTES: dict[str, tuple[Probe, ...]] = {
    "accounts/login/": (
        get({200: {ANONYMOUS}, 302: LOGGED_IN}),  # redirect_authenticated_user
        post({200: {ANONYMOUS}, 302: LOGGED_IN}),
    ),
    "accounts/logout/": (get({405: EVERYONE}), post({302: EVERYONE})),
    # Verified (or 2FA-free) sessions are sent on to `next`.
    "accounts/two-factor/": (get({302: LOGGED_IN}), post({302: LOGGED_IN})),
    "accounts/two-factor/setup/": (get({200: LOGGED_IN}), post({200: LOGGED_IN})),
    # No new codes in the session: back to the security page (or to the code first).
    "accounts/two-factor/recovery-codes/": (get({302: LOGGED_IN}),),
    "accounts/security/": (get({200: LOGGED_IN}),),
    # @require_POST comes before @login_required: a GET is 405 even for a visitor.
    "accounts/security/recovery-codes/": (get({405: EVERYONE}), post({302: LOGGED_IN})),
    "accounts/security/two-factor/off/": (get({405: EVERYONE}), post({302: LOGGED_IN})),
    "accounts/password/change/": (get({200: LOGGED_IN}), post({200: LOGGED_IN})),
    "accounts/password/change/done/": (get({200: LOGGED_IN}),),
    "accounts/password/reset/": (get({200: EVERYONE}), post({200: EVERYONE})),
    "accounts/password/reset/sent/": (get({200: EVERYONE}),),
    # A wrong link shows «ссылка недействительна» (200), whoever asks.
    "accounts/password/reset/<uidb64>/<token>/": (
        get({200: EVERYONE}, params={"uidb64": "MTIzNDU2", "token": "net-takoj-ssylki"}),
    ),
    "accounts/password/reset/done/": (get({200: EVERYONE}),),
    # A wrong invitation link is «ссылка недействительна» (410 Gone), whoever asks.
    "accounts/invitation/<str:token>/": (
        get({410: EVERYONE}, params={"token": "net-takoj-ssylki"}),
        post({410: EVERYONE}, params={"token": "net-takoj-ssylki"}),
    ),
}

PARTICIPANT = {"pk": "@participant"}  # a pupil no mentor or mentee of the matrix is paired with
OWN_CARD = {"pk": "@own_participant"}  # the mentee's own card, in the mentor's pair
PAIR = {"pk": "@pair"}  # the mentor's and the mentee's pair
OTHER_PAIR = {"pk": "@other_pair"}  # a pair neither of them is in
ITEM = {"pk": "@roadmap_item"}
MEMBER = {"user_id": "@member_user"}  # the mentee's account, a member of the school
CONSENT = {"pk": "@participant", "consent_pk": "@consent"}
QUESTIONNAIRE = {"kind": "@questionnaire"}
ROUTE = {"pk": "@route"}  # the mentor's route (ИОМ), shared with the tutor only
ROUTE_DEFICIT = ROUTE | {"deficit_pk": "@route_deficit"}
ROUTE_ACTIVITY = ROUTE | {"activity_pk": "@route_activity"}  # done, with a product file
ROUTE_PLANNED = ROUTE | {"activity_pk": "@route_planned"}
TUTORED = {"organization_id": "@organization", "route_id": "@route"}  # on the public host
NO_JOB = {"pk": "999999"}  # no such upload (and another person's would be the same 404)

TENANT_ROUTES: dict[str, tuple[Probe, ...]] = {
    "": (get({200: MEMBERS}),),
    **ACCOUNT_ROUTES,
    # Roadmap ---------------------------------------------------------------------------------
    # People and access ------------------------------------------------------------------
    "signing/": (get({200: MANAGERS}),),
    "profile/": (get({200: MANAGERS}), post({400: MANAGERS})),  # an empty form: «обязательное поле»
    "people/": (get({200: MANAGERS}),),
    "people/invite/": post_only(
        MANAGERS,
        data={"full_name": "Новикова Нина Ивановна", "email": "n@example.ru", "role": "mentor"},
    ),
    "people/<int:user_id>/roles/": post_only(MANAGERS, params=MEMBER, data={"roles": "mentee"}),
    "people/<int:user_id>/end/": post_only(MANAGERS, params=MEMBER),
    "people/<int:user_id>/resend/": post_only(MANAGERS, params=MEMBER),
    "participants/<int:pk>/account/": post_only(
        MANAGERS, params={"pk": "@mentor_participant"}, data={"email": "m@example.ru"}
    ),
    "roadmap/": (get({200: MEMBERS}),),
    "roadmap/create/": post_only(MANAGERS, data={"year": "@next_year"}),
    "roadmap/rollover/": post_only(MANAGERS),
    "roadmap/import/": (get({200: MANAGERS}), post({200: MANAGERS})),
    "roadmap/settings/": (get({200: MANAGERS}), post({200: MANAGERS})),
    "roadmap/history/": (get({200: MEMBERS}),),
    "roadmap/calendar/": (get({200: MEMBERS}),),
    # Everyone replaces their own (personal) feed's address.
    "roadmap/calendar/reset/": post_only(MEMBERS),
    "roadmap/items/new/": (get({200: MANAGERS}), post({200: MANAGERS})),
    "roadmap/items/<int:pk>/": (get({200: MEMBERS}, params=ITEM),),
    "roadmap/items/<int:pk>/edit/": (
        get({200: MANAGERS}, params=ITEM),
        post({200: MANAGERS}, params=ITEM),
    ),
    "roadmap/items/<int:pk>/status/": post_only(MANAGERS, params=ITEM, data={"status": "done"}),
    "roadmap/items/<int:pk>/move/": post_only(MANAGERS, params=ITEM, data={"direction": "up"}),
    "roadmap/items/<int:pk>/delete/": post_only(MANAGERS, params=ITEM),
    # Scanned приказы and протоколы: managers and the item's responsible people (none here).
    "roadmap/evidence/<int:pk>/": (get({200: MANAGERS}, params={"pk": "@evidence"}),),
    # Another person's (or no) upload: 404 to whoever may import at all.
    "roadmap/import/<int:pk>/": (get({404: MANAGERS}, params=NO_JOB),),
    "roadmap/import/<int:pk>/confirm/": (
        get({405: MANAGERS}, params=NO_JOB),
        post({404: MANAGERS}, params=NO_JOB),
    ),
    "roadmap/import/<int:pk>/columns/": (
        get({405: MANAGERS}, params=NO_JOB),
        post({404: MANAGERS}, params=NO_JOB),
    ),
    # Banks -----------------------------------------------------------------------------------
    # A mentor sees their own card and their mentees' (a list), a mentee only their own card.
    "participants/": (get({200: MANAGERS | {MENTOR}, 302: {MENTEE}}),),
    "participants/new/": (get({200: MANAGERS}), post({200: MANAGERS})),
    "participants/import/": (get({200: MANAGERS}), post({200: MANAGERS})),
    "participants/template.xlsx": (get({200: MANAGERS}),),
    "participants/export.xlsx": (get({200: MANAGERS}),),
    "participants/export.csv": (get({200: MANAGERS}),),
    "participants/audit/": (get({200: MANAGERS}),),
    "participants/import/<int:pk>/": (get({404: MANAGERS}, params=NO_JOB),),
    "participants/import/<int:pk>/confirm/": (
        get({405: MANAGERS}, params=NO_JOB),
        post({404: MANAGERS}, params=NO_JOB),
    ),
    "participants/import/<int:pk>/columns/": (
        get({405: MANAGERS}, params=NO_JOB),
        post({404: MANAGERS}, params=NO_JOB),
    ),
    "participants/acts/": (get({200: MANAGERS}),),
    "participants/acts/<int:number>.docx": (get({200: MANAGERS}, params={"number": "@act"}),),
    "participants/questionnaires/": (get({200: MANAGERS}),),
    "participants/questionnaires/<str:kind>/new/": (
        get({200: MANAGERS}, params=QUESTIONNAIRE),
        post({200: MANAGERS}, params=QUESTIONNAIRE),
    ),
    "participants/questionnaires/<str:kind>/<int:pk>/": (
        get({200: MANAGERS}, params={**QUESTIONNAIRE, "pk": "@question"}),
        post({302: MANAGERS}, params={**QUESTIONNAIRE, "pk": "@question"}, data={"delete": "1"}),
    ),
    "participants/<int:pk>/": (
        get({200: MANAGERS}, params=PARTICIPANT),
        get({200: MEMBERS}, params=OWN_CARD, label="own card"),
    ),
    "participants/<int:pk>/edit/": (
        get({200: MANAGERS}, params=PARTICIPANT),
        post({200: MANAGERS}, params=PARTICIPANT),
        get({200: MANAGERS}, params=OWN_CARD, label="own card"),
    ),
    "participants/<int:pk>/agreement/": (get({200: MANAGERS}, params={"pk": "@external_mentor"}),),
    "participants/<int:pk>/consents/": post_only(MANAGERS, params=PARTICIPANT),
    "participants/<int:pk>/consents/blank.docx": (get({200: MANAGERS}, params=PARTICIPANT),),
    "participants/<int:pk>/consents/<int:consent_pk>.docx": (get({200: MANAGERS}, params=CONSENT),),
    "participants/<int:pk>/consents/<int:consent_pk>/scan/": (
        get({200: MANAGERS}, params=CONSENT),
    ),
    "participants/<int:pk>/consents/<int:consent_pk>/withdraw/": post_only(
        MANAGERS, params=CONSENT, data={"withdrawn_on": "@today", "reason": "заявление"}
    ),
    "participants/<int:pk>/invite/": post_only(
        MANAGERS, params=PARTICIPANT, data={"kind": "@questionnaire"}
    ),
    # Pairs -----------------------------------------------------------------------------------
    "pairs/": (get({200: MEMBERS}),),  # managers the board, the pair's people their own pairs
    "pairs/match/": (get({200: MANAGERS}), post({200: MANAGERS})),
    "pairs/match/offer/": post_only(
        MANAGERS, data={"mentee": "@participant", "mentors": "@other_mentor"}
    ),
    "pairs/match/all/": (get({200: MANAGERS}),),
    "pairs/forms/": (get({200: MANAGERS}), post({200: MANAGERS})),
    "pairs/orders/new/": post_only(MANAGERS, data={"pairs": "@other_pair"}),
    "pairs/orders/<int:pk>.docx": (get({200: MANAGERS}, params={"pk": "@order"}),),
    # The coordinator prepares a приказ; only the director (or a named deputy) records it.
    "pairs/orders/<int:pk>/sign/": (
        get({405: MANAGERS}, params={"pk": "@order"}),
        post(
            {302: {DIRECTOR}}, params={"pk": "@order"}, data={"number": "2", "signed_on": "@today"}
        ),
    ),
    "pairs/orders/<int:pk>/discard/": post_only(MANAGERS, params={"pk": "@order"}),
    "pairs/agreements/<int:participant_pk>.docx": (
        get({200: MANAGERS}, params={"participant_pk": "@external_mentor"}),
    ),
    "pairs/<int:pk>/": (
        get({200: MEMBERS}, params=PAIR),
        get({200: MANAGERS}, params=OTHER_PAIR, label="another pair"),
    ),
    "pairs/<int:pk>/transition/": post_only(
        MANAGERS, params=PAIR, data={"to": "terminated", "reason": "проверка"}
    ),
    # The pair's mentor and mentees keep their program themselves.
    "pairs/<int:pk>/program/": (
        get({200: MEMBERS}, params=PAIR),
        post(
            {302: MEMBERS},
            params=PAIR,
            data={"action": "plan", "title": "Открытый урок", "planned_on": "@today"},
        ),
        get({200: MANAGERS}, params=OTHER_PAIR, label="another pair"),
        # Its pair has no program yet: the page is drawn again, nothing planned.
        post(
            {200: MANAGERS},
            params=OTHER_PAIR,
            data={"action": "plan", "title": "Открытый урок", "planned_on": "@today"},
            label="another pair",
        ),
    ),
    "pairs/<int:pk>/report.docx": (get({200: MEMBERS}, params=PAIR),),
    # Documents, notifications ----------------------------------------------------------------
    "documents/": (get({200: MANAGERS}),),
    "documents/<str:code>.docx": (get({200: MANAGERS}, params={"code": "@document"}),),
    "documents/<str:code>/upload/": post_only(
        MANAGERS, params={"code": "@document"}, data={"reset": "1"}
    ),
    "notifications/": (get({200: MEMBERS}),),  # each their own inbox
    "notifications/read/": post_only(MEMBERS),
    "notifications/settings/": (get({200: MEMBERS}), post({302: MEMBERS})),
    "notifications/log/": (get({200: MANAGERS}),),
    "notifications/log/<int:pk>/retry/": post_only(MANAGERS, params={"pk": "@outbox"}),
    # Monitoring: the coordinator's; a pair's page also to its mentor ----------------------------
    "monitoring/": (get({200: MANAGERS}),),
    "monitoring/waves/<int:pk>/": (get({200: MANAGERS}, params={"pk": "@wave"}),),
    "monitoring/waves/<int:pk>/action/": post_only(
        MANAGERS, params={"pk": "@wave"}, data={"action": "nudge"}
    ),
    "monitoring/pairs/<int:pair_pk>/": (
        get({200: MANAGERS | {MENTOR}}, params={"pair_pk": "@pair"}),
        get({404: MANAGERS}, params={"pair_pk": "@other_pair"}, label="no program"),
    ),
    "monitoring/pairs/<int:pair_pk>/outcomes/": post_only(
        MANAGERS,
        params={"pair_pk": "@pair"},
        data={"mentee": "@own_participant", "stage": "exit", "courses": "2"},
    ),
    "monitoring/instruments/": (get({200: MANAGERS}),),
    "monitoring/instruments/<slug:code>/": (
        get({200: MANAGERS}, params={"code": "curator"}),
        post({302: MANAGERS}, params={"code": "curator"}, data={"text": "? Что ещё важно?"}),
    ),
    "monitoring/report/": (
        get({200: MANAGERS}),
        post({302: MANAGERS}, data={"conclusions": "Выводы", "proposals": "Предложения"}),
    ),
    "monitoring/report.docx": (get({200: MANAGERS}),),
    "monitoring/outcomes/import/": (get({200: MANAGERS}), post({200: MANAGERS})),
    "monitoring/outcomes/template.xlsx": (get({200: MANAGERS}),),
    "monitoring/outcomes/import/<int:pk>/": (get({404: MANAGERS}, params=NO_JOB),),
    "monitoring/outcomes/import/<int:pk>/confirm/": (
        get({405: MANAGERS}, params=NO_JOB),
        post({404: MANAGERS}, params=NO_JOB),
    ),
    "monitoring/outcomes/import/<int:pk>/columns/": (
        get({405: MANAGERS}, params=NO_JOB),
        post({404: MANAGERS}, params=NO_JOB),
    ),
    # Open routes: the secret in the address is the key --------------------------------------
    "m/<str:token>/": wrong_token(token="@wrong_token"),
    "choose/<str:token>/": wrong_token(token="@wrong_token"),
    "q/<str:token>/": wrong_token(token="@wrong_token"),
    "calendar/<str:token>.ics": (get({404: EVERYONE}, params={"token": "@wrong_token"}),),
    "healthz": (get({200: EVERYONE}),),
    # API -------------------------------------------------------------------------------------
    "api/v1/organization/": (get({200: MEMBERS}),),
    "api/v1/deadlines/parse/": (
        get({200: MEMBERS}, query={"text": "До 10.09. ежегодно", "academic_year": "@year"}),
    ),
    "api/v1/": (get({200: MEMBERS}),),
    "api/schema/": (get({200: MEMBERS}),),
    "api/docs/": (get({200: MEMBERS}),),
    "api/v1/^roadmaps/$": (get({200: MEMBERS}),),
    "api/v1/^roadmaps/(?P<pk>[^/.]+)/$": (get({200: MEMBERS}, params={"pk": "@roadmap"}),),
    "api/v1/^roadmap-items/$": (
        get({200: MEMBERS}),
        post({201: MANAGERS}, data={"title": "Новый пункт"}),
    ),
    "api/v1/^roadmap-items/(?P<pk>[^/.]+)/$": (
        get({200: MEMBERS}, params=ITEM),
        patch({200: MANAGERS}, params=ITEM, data={"title": "Другое название"}),
        delete({204: MANAGERS}, params=ITEM),
    ),
    "api/v1/^roadmap-items/(?P<pk>[^/.]+)/status/$": (
        post({200: MANAGERS}, params=ITEM, data={"status": "done"}),
    ),
    # The list holds what the member may download (nothing for a mentor or mentee here).
    "api/v1/^roadmap-items/(?P<pk>[^/.]+)/evidence/$": (get({200: MEMBERS}, params=ITEM),),
    "api/v1/^roadmap-items/(?P<pk>[^/.]+)/evidence/(?P<evidence_pk>[0-9]+)/$": (
        get({200: MANAGERS}, params={**ITEM, "evidence_pk": "@evidence"}),
    ),
    "api/v1/^participants/$": (
        get({200: MEMBERS}),  # the banks for managers, one's own card for the others
        post(
            {201: MANAGERS},
            data={
                "last_name": "Новикова",
                "first_name": "Нина",
                "category": "teacher",
                "bank_role": "mentor",
            },
        ),
    ),
    "api/v1/^participants/(?P<pk>[^/.]+)/$": (
        get({200: MANAGERS}, params=PARTICIPANT),
        get({200: MEMBERS}, params=OWN_CARD, label="own card"),
        patch({200: MANAGERS}, params=PARTICIPANT, data={"phone": "+7 900 000-00-00"}),
        patch(
            {200: MANAGERS}, params=OWN_CARD, data={"phone": "+7 900 000-00-00"}, label="own card"
        ),
    ),
    "api/v1/^participants/(?P<pk>[^/.]+)/can-be-paired/$": (
        get({200: MANAGERS}, params=PARTICIPANT),
        get({200: MEMBERS}, params=OWN_CARD, label="own card"),
    ),
    "api/v1/^participants/(?P<pk>[^/.]+)/consents/$": (
        get({200: MANAGERS}, params=PARTICIPANT),
        get({200: MEMBERS}, params=OWN_CARD, label="own card"),
        post(
            {201: MANAGERS},
            params=PARTICIPANT,
            data={
                "kind": "personal_data",
                "signed_on": "@today",
                "representative_name": "Родителев Пётр",
                "representative_relation": "father",
            },
        ),
    ),
    "api/v1/^pairs/$": (get({200: MEMBERS}), post({400: MANAGERS})),
    # Routes: everyone lists their own (and managers the shared ones: none in the world).
    "api/v1/^routes/$": (get({200: MEMBERS}),),
    "api/v1/^routes/(?P<pk>[^/.]+)/$": (get({200: {MENTOR}}, params=ROUTE),),
    "api/v1/^pairs/(?P<pk>[^/.]+)/$": (
        get({200: MEMBERS}, params=PAIR),
        get({200: MANAGERS}, params=OTHER_PAIR, label="another pair"),
    ),
    # As on the program page: the pair's mentor and mentee keep it, and the managers.
    "api/v1/^pairs/(?P<pk>[^/.]+)/meetings/$": (
        get({200: MEMBERS}, params=PAIR),
        get({200: MANAGERS}, params=OTHER_PAIR, label="another pair"),
        post({201: MEMBERS}, params=PAIR, data={"kind": "regular", "held_on": "@today"}),
        # It has no program yet: «Сначала составьте программу» to managers, refused to others.
        post(
            {400: MANAGERS},
            params=OTHER_PAIR,
            data={"kind": "regular", "held_on": "@today"},
            label="another pair",
        ),
    ),
    "api/v1/^pairs/(?P<pk>[^/.]+)/transition/$": (
        post({200: MANAGERS}, params=PAIR, data={"to": "terminated", "reason": "проверка"}),
    ),
    "api/v1/^suggestions/$": (get({200: MANAGERS}, query={"mentee": "@participant"}),),
    # A route (ИОМ) is its teacher's (the mentor's here); the curator sees it only with the
    # teacher's consent (not given in the world), the tutor only from the regional host.
    "routes/": (
        get({302: {MENTOR}, 200: MANAGERS | {MENTEE}}),
        post({302: {MENTOR}, 200: MANAGERS | {MENTEE}}),
    ),
    "routes/school/": (get({200: MANAGERS}),),
    "routes/<int:pk>/": (get({200: {MENTOR}}, params=ROUTE),),
    "routes/<int:pk>/route.docx": (get({200: {MENTOR}}, params=ROUTE),),
    "routes/<int:pk>/describe/": route_post(
        data={"desired_image": "Учитель-методист", "years": "5"}
    ),
    "routes/<int:pk>/diagnosis/<str:kind>/": (
        get({200: {MENTOR}}, params=ROUTE | {"kind": "self"}),
        post({302: {MENTOR}}, params=ROUTE | {"kind": "self"}, data={"action": "draft"}),
        get({}, params=ROUTE | {"kind": "tutor"}, label="tutor's"),
    ),
    "routes/<int:pk>/deficits/": route_post(data={"area": "ict", "description": "Тесты"}),
    "routes/<int:pk>/deficits/<int:deficit_pk>/close/": route_post(params=ROUTE_DEFICIT),
    "routes/<int:pk>/activities/new/": (
        get({200: {MENTOR}}, params=ROUTE),
        post({200: {MENTOR}}, params=ROUTE, data={"title": ""}),  # «обязательное поле»
    ),
    "routes/<int:pk>/activities/<int:activity_pk>/": (get({200: {MENTOR}}, params=ROUTE_ACTIVITY),),
    "routes/<int:pk>/activities/<int:activity_pk>/cancel/": route_post(params=ROUTE_PLANNED),
    "routes/<int:pk>/activities/<int:activity_pk>/accept/": route_post(params=ROUTE_PLANNED),
    "routes/<int:pk>/activities/<int:activity_pk>/product/": (
        get({200: {MENTOR}}, params=ROUTE_ACTIVITY),
    ),
    "routes/<int:pk>/activities/<int:activity_pk>/product/file/": (
        get({200: {MENTOR}}, params=ROUTE_ACTIVITY),
    ),
    "routes/<int:pk>/submit/": route_post(),
    "routes/<int:pk>/review/": route_post(roles=frozenset()),  # no curator consent in the world
    "routes/<int:pk>/reflection/": (get({200: {MENTOR}}, params=ROUTE),),
    "routes/<int:pk>/consent/": route_post(data={"recipient": "curator", "action": "give"}),
}

MUNICIPALITY = {"municipality": "@municipality"}  # Alpha's: maria's, not sergei's
OTHER_MUNICIPALITY = {"municipality": "@other_municipality"}  # Beta's: sergei's, not maria's


def dashboard(*, status: int = 200) -> tuple[Probe, ...]:
    """A dashboard view taking `?municipality=`: whole region, each municipality."""
    return (
        get({status: DASHBOARD}),
        get({status: DASHBOARD - {MUNICIPAL_OTHER}}, query=MUNICIPALITY, label="Alpha's municipality"),
        get({status: DASHBOARD - {MUNICIPAL}}, query=OTHER_MUNICIPALITY, label="other municipality"),
    )  # fmt: skip


PUBLIC_ROUTES: dict[str, tuple[Probe, ...]] = {
    "": (get({200: EVERYONE}),),  # the registry of organisations: public information
    **ACCOUNT_ROUTES,
    "dashboard/": (
        # A municipal specialist's dashboard is their municipality's page.
        get({200: REGION_WIDE, 302: {MUNICIPAL, MUNICIPAL_OTHER}}),
        get(
            {200: DASHBOARD - {MUNICIPAL_OTHER}},
            query=MUNICIPALITY,
            follow=True,
            label="Alpha's municipality",
        ),
        get(
            {200: DASHBOARD - {MUNICIPAL}},
            query=OTHER_MUNICIPALITY,
            follow=True,
            label="other municipality",
        ),
    ),
    "dashboard/trend/": dashboard(),
    "dashboard/report.xlsx": dashboard(),
    "dashboard/report.csv": dashboard(),
    "dashboard/municipalities/<int:pk>/": (
        get({200: DASHBOARD - {MUNICIPAL_OTHER}}, params={"pk": "@municipality"}),
        get({200: DASHBOARD - {MUNICIPAL}}, params={"pk": "@other_municipality"}, label="other"),
    ),
    "dashboard/organizations/<int:pk>/": (
        get({200: DASHBOARD - {MUNICIPAL_OTHER}}, params={"pk": "@organization"}),
        get({200: DASHBOARD - {MUNICIPAL}}, params={"pk": "@other_organization"}, label="other"),
    ),
    # The region's common core of the monitoring questionnaires: the operator's.
    "dashboard/monitoring-core/": (
        get({200: ONBOARDING}),
        post(
            {200: ONBOARDING}, data={"code": "curator", "text": "cur.plan: План | 1; 2"}
        ),  # a mark: refused
    ),
    "organizations/onboarding/": (
        get({200: ONBOARDING}),
        post({200: ONBOARDING}, data={"region": "@region"}),  # no file: «Выберите файл»
    ),
    "organizations/onboarding/template.xlsx": (get({200: ONBOARDING}),),
    # The region's own people: the operator invites specialists, tutors, operators; a
    # municipal specialist only colleagues of their municipality (a tutor's role: refused).
    "people/": (
        get({200: PEOPLE}),
        post(
            {302: {OPERATOR}, 400: {MUNICIPAL, MUNICIPAL_OTHER}},
            data={"full_name": "Новикова Нина", "email": "n@example.ru", "role": "tutor"},
        ),
    ),
    "people/<int:user_id>/resend/": (
        get({405: PEOPLE}, params={"user_id": "@specialist"}),
        post({302: {OPERATOR, MUNICIPAL}}, params={"user_id": "@specialist"}),  # not elsewhere's
    ),
    "organizations/onboarding/<int:pk>/": (get({404: ONBOARDING}, params=NO_JOB),),
    "organizations/onboarding/<int:pk>/confirm/": (
        get({405: ONBOARDING}, params=NO_JOB),
        post({404: ONBOARDING}, params=NO_JOB),
    ),
    "organizations/onboarding/<int:pk>/columns/": (
        get({405: ONBOARDING}, params=NO_JOB),
        post({404: ONBOARDING}, params=NO_JOB),
    ),
    "api/v1/cnppm/caseload/": (get({200: {TUTOR}}),),
    "api/v1/cnppm/routes/<int:organization>/<int:route>/": (
        get({200: {TUTOR}}, params={"organization": "@organization", "route": "@route"}),
    ),
    "api/v1/monitoring/summary/": dashboard(),
    "api/v1/monitoring/organizations/": dashboard(),
    # The registry is public information, to anyone logged in; provisioning, operators only.
    "api/v1/": (get({200: LOGGED_IN}),),
    "api/v1/^organizations/$": (
        get({200: LOGGED_IN}),
        post(
            {201: ONBOARDING},
            data={
                "full_name": "МБОУ «Школа Гамма»",
                "short_name": "Школа Гамма",
                "slug": "gamma",
                "kind": "school",
                "municipality_id": "@municipality",
            },
        ),
    ),
    "api/v1/^organizations/(?P<slug>[^/.]+)/$": (
        get({200: LOGGED_IN}, params={"slug": "@organization_slug"}),
    ),
    "api/schema/": (get({200: EVERYONE}),),
    "api/docs/": (get({200: EVERYONE}),),
    "healthz": (get({200: EVERYONE}),),
    "unsubscribe/<str:token>/<str:channel>/": wrong_token(token="@wrong_token", channel="email"),
    # The local mail of `make run` only; production (and the matrix) has no LOCAL_MAILDIR.
    "mail/": (get({404: LOGGED_IN}),),
    # The ЦНППМ: a tutor's caseload and the routes assigned to them (with the teacher's
    # consent); the head of the ЦНППМ or the operator assigns tutors.
    "cnppm/": (get({200: {TUTOR}}),),
    "cnppm/caseload.xlsx": (get({200: {TUTOR}}),),
    "cnppm/routes/<int:organization_id>/<int:route_id>/": (get({200: {TUTOR}}, params=TUTORED),),
    "cnppm/routes/<int:organization_id>/<int:route_id>/route.docx": (
        get({200: {TUTOR}}, params=TUTORED),
    ),
    "cnppm/routes/<int:organization_id>/<int:route_id>/review/": (
        get({405: {TUTOR}}, params=TUTORED),
        post({302: {TUTOR}}, params=TUTORED, data={"verdict": "comment", "text": "Хорошо"}),
    ),
    "cnppm/routes/<int:organization_id>/<int:route_id>/recommend/": (
        get({405: {TUTOR}}, params=TUTORED),
        post({302: {TUTOR}}, params=TUTORED, data={"title": ""}),
    ),
    "cnppm/routes/<int:organization_id>/<int:route_id>/diagnosis/tutor/": (
        get({200: {TUTOR}}, params=TUTORED),
        post({302: {TUTOR}}, params=TUTORED, data={"action": "draft"}),
    ),
    "cnppm/routes/<int:organization_id>/<int:route_id>/activities/<int:activity_pk>/product/file/": (
        get({200: {TUTOR}}, params=TUTORED | {"activity_pk": "@route_activity"}),
    ),
    "cnppm/deficits/": (get({200: DASHBOARD}),),  # counts only, under the disclosure control
    "cnppm/instrument/": (
        get({200: {OPERATOR}}),
        post({200: {OPERATOR}}, data={"areas": "без кода"}),
    ),
    "cnppm/assignments/": (get({200: {OPERATOR}}),),
    "cnppm/assignments/new/": (get({405: {OPERATOR}}), post({302: {OPERATOR}})),
    "cnppm/assignments/<int:pk>/end/": (
        get({405: {OPERATOR}}, params={"pk": "@assignment"}),
        post({302: {OPERATOR}}, params={"pk": "@assignment"}),
    ),
}

# Route groups covered by prefix: every route under it is one entry, probed by literal paths.
PUBLIC_GROUPS: dict[str, tuple[Probe, ...]] = {
    # The admin lets in verified staff only; anyone else is sent to the admin's login page.
    "admin/": (
        get({200: {SUPERUSER}}, path="/admin/", refusal="login"),
        get({200: {SUPERUSER}}, path="/admin/organizations/organization/", refusal="login"),
        get({200: {SUPERUSER}}, path="/admin/accounts/user/", refusal="login"),
        post({200: {SUPERUSER}}, path="/admin/accounts/membership/add/", refusal="login"),
    ),
}
TENANT_GROUPS: dict[str, tuple[Probe, ...]] = {}
