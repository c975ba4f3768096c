"""The security suite (issue 7, `make security`): every state-changing request needs a CSRF
token, the production profile passes `check --deploy`, the Content-Security-Policy and the
other security headers are exactly what they should be, and no page asks another host for
anything.

`-s` (or `-rA`) shows the figures each test prints.
"""

import hashlib
import json
import logging
import os
import re
import secrets
import subprocess
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.core.cache import cache
from django.http import HttpResponseForbidden
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.resolvers import LocalePrefixPattern, RegexPattern, RoutePattern
from django.utils import timezone, translation

from tadamun.accounts.selectors import security_policy
from tadamun.accounts.tests.conftest import add_totp
from tadamun.accounts.tests.factories import UserFactory
from tadamun.campaigns.tests.factories import TargetFactory
from tadamun.lists import subscriptions
from tadamun.lists.models import Subscription
from tadamun.lists.tests.outbound_support import make_list
from tadamun.lockdown.models import Lockdown
from tadamun.messaging import services as messaging
from tadamun.notifications.tests.factories import make_document
from tadamun.organisations.tests.factories import ApplicationFactory, OrganisationFactory
from tadamun.organisations.tests.factories import MembershipFactory as OrgMembershipFactory
from tadamun.petitions import delivery
from tadamun.petitions.models import Signature
from tadamun.petitions.tests.factories import PartnerFactory, PetitionFactory, SignatureFactory
from tadamun.social.tests.factories import make_post as make_social_post
from tadamun.workgroups.tests.factories import MembershipFactory as WorkgroupMembershipFactory
from tadamun.workgroups.tests.factories import WorkgroupFactory
from tadamun.workgroups.tests.factories import make_post as make_workgroup_post

BASE = Path(settings.BASE_DIR)

# The views that take a POST without a CSRF token, on purpose. Each must be reached only
# through a secret token in its URL (checked below); a new csrf_exempt view fails the sweep
# until it is added here with its reason.
EXEMPT = {
    "lists:unsubscribe": (
        "RFC 8058 one-click unsubscribe: the mail provider POSTs `List-Unsubscribe=One-Click` "
        "with no cookies, so there is no CSRF token to send. The URL carries a token signed "
        "with SECRET_KEY naming one subscription and its address; the POST only removes that "
        "subscription and is idempotent."
    ),
    "petitions:update_unsubscribe": (
        "RFC 8058 one-click unsubscribe from a petition's news: POSTed by the mail provider "
        "with no cookies. The URL carries a token signed with SECRET_KEY naming one signature "
        "and which news it stops; the POST only withdraws that consent and is idempotent."
    ),
}

# Tables a signed-in request writes whatever it is answered: the session itself, the
# security page's list of sessions, the audit trail of signing in.
UNWATCHED = {"sessions.Session", "accounts.UserSession", "core.AuditEvent"}

UNSAFE_METHODS = ("post", "put", "patch", "delete")

# The policy of every page (settings.SECURE_CSP), written out so that any change to it must
# change this test on purpose.
POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'self'; object-src 'none'"
)
# The petition widget alone may be framed by other sites.
WIDGET_POLICY = POLICY.replace("frame-ancestors 'none'", "frame-ancestors *")
WIDGETS = {"petitions:widget", "petitions:partner_widget"}


def csrf_failure(request, reason=""):
    """Stands in for Django's CSRF failure page in these tests, so that a 403 is known to be
    the CSRF check's (and not a permission check's) whatever the language."""
    response = HttpResponseForbidden("CSRF verification failed")
    response["X-Test-Csrf-Failure"] = reason
    return response


@pytest.fixture(autouse=True)
def _local_cache(settings):
    """Rate limits and the lockdown state in a per-process cache, empty for each test."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "security-suite",
        }
    }
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


# --- the world the URLs point into ----------------------------------------------------------


class World:
    """One real object behind (nearly) every kind of URL parameter."""

    def __init__(self):
        # The security policy is a singleton row made on first use (by the second-factor
        # middleware, which the exempt views reach): it exists in any running site.
        security_policy()
        self.coordinator = UserFactory(coordinator=True)
        add_totp(self.coordinator)
        self.member = UserFactory(member=True)
        self.organisation = OrganisationFactory()
        self.org_membership = OrgMembershipFactory(user=self.member, organisation=self.organisation)
        self.application = ApplicationFactory()
        self.workgroup = WorkgroupFactory()
        self.wg_membership = WorkgroupMembershipFactory(workgroup=self.workgroup, user=self.member)
        self.wg_post = make_workgroup_post(self.workgroup, author=self.member)
        self.social_post = make_social_post(self.member)
        self.document = make_document(self.member)
        self.conversation, self.message = messaging.conversation_start(
            sender=self.member, recipients=[self.coordinator], subject="Plans", body="Hello"
        )
        self.petition = PetitionFactory()
        self.campaign = self.petition.campaign
        self.target = TargetFactory(campaign=self.campaign)
        self.partner = PartnerFactory(petition=self.petition)
        self.signature = SignatureFactory(petition=self.petition, confirmed=True, consent_lead=True)
        self.mailing_list, (self.subscriber,) = make_list(members=1)
        self.lockdown = Lockdown.objects.create(
            started_by=self.coordinator, lifted_at=timezone.now(), lifted_by=self.coordinator
        )
        post_type = ContentType.objects.get_for_model(self.social_post)
        today = date.today()
        # (url name or namespace, parameter) → value; otherwise 1 for a number, "x" for text.
        self.values = {
            ("accounts:person_roles", "pk"): self.member.pk,
            ("organisations", "slug"): self.organisation.slug,
            ("organisations", "pk"): self.org_membership.pk,
            ("organisations:person", "pk"): self.member.pk,
            ("organisations:application_detail", "pk"): self.application.pk,
            ("workgroups", "slug"): self.workgroup.slug,
            ("workgroups", "pk"): self.wg_post.thread_id,
            ("workgroups:moderate", "pk"): self.wg_post.pk,
            ("workgroups:membership_decide", "pk"): self.wg_membership.pk,
            ("workgroups:membership_role", "pk"): self.wg_membership.pk,
            ("workgroups:membership_remove", "pk"): self.wg_membership.pk,
            ("workgroups", "year"): today.year,
            ("workgroups", "month"): today.month,
            ("social", "pk"): self.social_post.pk,
            ("social", "post_pk"): self.social_post.pk,
            ("social", "kind"): "organisation",
            ("social:follow", "pk"): self.organisation.pk,
            ("social:unfollow", "pk"): self.organisation.pk,
            ("documents", "slug"): self.workgroup.slug,
            ("documents", "pk"): self.document.pk,
            ("messaging", "pk"): self.conversation.pk,
            ("messaging", "message_pk"): self.message.pk,
            ("moderation", "content_type_id"): post_type.pk,
            ("moderation", "object_id"): self.social_post.pk,
            ("translations", "content_type_id"): post_type.pk,
            ("translations", "object_id"): self.social_post.pk,
            ("translations", "language"): "ar",
            ("campaigns", "slug"): self.campaign.slug,
            ("campaigns:target_remove", "pk"): self.target.pk,
            ("petitions", "slug"): self.petition.slug,
            ("petitions", "partner_slug"): self.partner.slug,
            ("lockdown", "pk"): self.lockdown.pk,
            ("lists", "language"): "en",
            ("admin", "object_id"): self.member.pk,
            ("admin", "content_type_id"): post_type.pk,
            # The exempt views get a wrong token here on purpose; the right one is tried in
            # test_exempt_endpoints_need_the_secret_token.
            ("lists:unsubscribe", "token"): "x",
            ("petitions:update_unsubscribe", "token"): "x",
        }

    def value(self, name: str, parameter: str, kind: str):
        namespace = name.partition(":")[0] if ":" in name else ""
        for key in ((name, parameter), (namespace, parameter)):
            if key in self.values:
                return self.values[key]
        return 1 if kind == "int" else "x"


@pytest.fixture
def world(db):
    return World()


# --- every URL of the project ---------------------------------------------------------------


@dataclass
class Endpoint:
    name: str
    route: str
    url: str
    callback: object

    @property
    def exempt(self) -> bool:
        return bool(getattr(self.callback, "csrf_exempt", False))


PARAMETER = re.compile(r"<(?:(?P<kind>[^>:]+):)?(?P<name>[^>]+)>")
GROUP = re.compile(r"\(\?P<(?P<name>\w+)>(?P<body>[^()]*)\)")


def _fill(pattern, name: str, world: World) -> str:
    """The concrete piece of path one level of the URL configuration matches."""
    if isinstance(pattern, LocalePrefixPattern):
        return pattern.language_prefix
    if isinstance(pattern, RoutePattern):

        def route_value(match):
            kind, parameter = match["kind"] or "str", match["name"]
            converter = pattern.converters[parameter]
            return str(converter.to_url(world.value(name, parameter, kind)))

        return PARAMETER.sub(route_value, str(pattern._route))
    assert isinstance(pattern, RegexPattern), pattern

    def group_value(match):
        body = match["body"]
        if re.fullmatch(r"[\w|]+", body):  # an alternation of words: take the first
            return body.split("|")[0]
        return str(world.value(name, match["name"], "str"))

    regex = GROUP.sub(group_value, str(pattern._regex))
    return regex.removeprefix("^").removesuffix("$").replace("\\", "")


def _walk(patterns, world, prefix=(), namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
            yield from _walk(pattern.url_patterns, world, (*prefix, pattern), inner)
        else:
            assert isinstance(pattern, URLPattern)
            yield namespace + (pattern.name or ""), (*prefix, pattern), pattern.callback


def endpoints(world: World) -> list[Endpoint]:
    """Every URL pattern of the project, with the English prefix, made concrete."""
    found = []
    with translation.override("en"):
        for name, chain, callback in _walk(get_resolver().url_patterns, world):
            url = "/" + "".join(_fill(level.pattern, name, world) for level in chain)
            route = "/" + "".join(str(level.pattern) for level in chain)
            found.append(Endpoint(name=name, route=route, url=url, callback=callback))
    return found


def snapshot() -> tuple[dict[str, int], str]:
    """Rows per model and a digest of every row's content (so an UPDATE shows too)."""
    counts, digest = {}, hashlib.sha256()
    for model in apps.get_models():
        label = model._meta.label
        if label in UNWATCHED:
            continue
        rows = [
            tuple(bytes(value) if isinstance(value, memoryview) else value for value in row)
            for row in model._base_manager.order_by("pk").values_list()
        ]
        counts[label] = len(rows)
        digest.update(repr((label, rows)).encode())
    return counts, digest.hexdigest()


def signed_in(user) -> Client:
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    client.force_login(user)
    return client


def send(client: Client, method: str, url: str, *, forged: bool):
    """An unsafe request with no CSRF token at all, or with a cookie and a token that do not
    match (both random, well-formed)."""
    client.cookies.pop(settings.CSRF_COOKIE_NAME, None)
    if not forged:
        return getattr(client, method)(url)
    client.cookies[settings.CSRF_COOKIE_NAME] = secrets.token_hex(16)
    token = secrets.token_hex(16)
    data = {"csrfmiddlewaretoken": token} if method == "post" else ""
    return getattr(client, method)(url, data, headers={"X-CSRFToken": token})


# --- 1. CSRF ---------------------------------------------------------------------------------


def test_every_url_pattern_is_made_concrete(world):
    found = endpoints(world)
    assert len(found) > 100, f"only {len(found)} URL patterns found"
    for endpoint in found:
        with translation.override("en"):
            match = resolve(endpoint.url)
        assert match.func is endpoint.callback, (
            f"{endpoint.route} → {endpoint.url} reaches {match.view_name}"
        )


def test_the_exempt_views_are_exactly_the_known_ones(world):
    exempt = {endpoint.name for endpoint in endpoints(world) if endpoint.exempt}
    assert exempt == set(EXEMPT), (
        f"csrf_exempt views {sorted(exempt)}, explained {sorted(EXEMPT)}: a new exempt view "
        "needs its reason in EXEMPT and a secret token in its URL"
    )


@pytest.fixture
def _quiet_csrf_log():
    """The sweep's 5000 refusals, each logged as a warning, would drown any failure."""
    log = logging.getLogger("django.security.csrf")
    level = log.level
    log.setLevel(logging.ERROR)
    yield
    log.setLevel(level)


@pytest.mark.usefixtures("_quiet_csrf_log")
def test_csrf_sweep(world, settings):
    settings.CSRF_FAILURE_VIEW = f"{__name__}.csrf_failure"
    found = endpoints(world)
    clients = {
        "coordinator": signed_in(world.coordinator),
        "member": signed_in(world.member),
    }
    counts_before, digest_before = snapshot()

    accepted = {"missing": [], "forged": []}
    exempt_answers = {}
    reasons = {}
    requests = 0
    for who, client in clients.items():
        for endpoint in found:
            for method in UNSAFE_METHODS:
                for forged in (False, True):
                    response = send(client, method, endpoint.url, forged=forged)
                    requests += 1
                    key = (who, method.upper(), endpoint.url)
                    if endpoint.exempt:
                        exempt_answers.setdefault(endpoint.name, set()).add(
                            (method.upper(), response.status_code)
                        )
                        continue
                    reason = response.headers.get("X-Test-Csrf-Failure")
                    if response.status_code != 403 or reason is None:
                        kind = "forged" if forged else "missing"
                        accepted[kind].append((*key, response.status_code))
                    else:
                        reasons[reason] = reasons.get(reason, 0) + 1

    counts_after, digest_after = snapshot()
    protected = sum(1 for endpoint in found if not endpoint.exempt)
    print(
        f"\nCSRF: {len(found)} state-changing endpoints tried, "
        f"{len(accepted['missing'])} accepted a missing token, "
        f"{len(accepted['forged'])} a forged one "
        f"({protected} protected, {len(found) - protected} exempt on purpose; "
        f"{requests} requests: {', '.join(m.upper() for m in UNSAFE_METHODS)} × no token/forged "
        f"token × coordinator/member; refusals {reasons}; "
        f"{sum(counts_before.values())} rows in {len(counts_before)} tables unchanged)"
    )
    assert not accepted["missing"], f"accepted without a token: {accepted['missing'][:20]}"
    assert not accepted["forged"], f"accepted with a forged token: {accepted['forged'][:20]}"
    # The exempt views, reached with a wrong token: the POST changes nothing (see the digest)
    # and says so idempotently; every other method is refused.
    for name, answers in exempt_answers.items():
        assert answers == {("POST", 200), ("PUT", 405), ("PATCH", 405), ("DELETE", 405)}, (
            f"{name}: {sorted(answers)}"
        )
    changed = {
        label: (count, counts_after[label])
        for label, count in counts_before.items()
        if counts_after[label] != count
    }
    assert not changed, f"rows added or deleted by the sweep: {changed}"
    assert digest_after == digest_before, "some row changed during the sweep"


def _forger_token(value: str, salt: str, sep: str = ":") -> str:
    """A well-formed token for `value`, signed with a key that is not SECRET_KEY."""
    return signing.Signer(key="not-the-secret-key-" + "f" * 40, salt=salt, sep=sep).sign(value)


def _post_anonymously(url: str):
    return Client(enforce_csrf_checks=True).post(url, {"List-Unsubscribe": "One-Click"})


def test_exempt_endpoints_need_the_secret_token(world):
    subscription = Subscription.objects.get(user=world.subscriber)
    real = subscriptions.unsubscribe_token(subscription)
    value = real.rsplit(".", 1)[0]
    wrong_tokens = [
        real[:-3] + ("AAA" if not real.endswith("AAA") else "BBB"),
        _forger_token(value, subscriptions.UNSUBSCRIBE_SALT, sep="."),
        value,
        "x",
    ]
    signature = world.signature
    real_news = delivery.unsubscribe_token(signature.pk, "lead")
    wrong_news = [
        real_news[:-3] + ("xyz" if not real_news.endswith("xyz") else "abc"),
        _forger_token(f"{signature.pk}-l", delivery.UNSUBSCRIBE_SALT),
        f"{signature.pk}-l",
        "x",
    ]
    before = snapshot()
    tried = 0
    for token in wrong_tokens:
        response = _post_anonymously(reverse("lists:unsubscribe", args=[token]))
        assert response.status_code == 200, token
        tried += 1
    with translation.override("en"):
        for token in wrong_news:
            response = _post_anonymously(reverse("petitions:update_unsubscribe", args=[token]))
            assert response.status_code == 200, token
            tried += 1
    assert snapshot() == before, "a POST with a wrong token changed something"

    # The genuine tokens do act: the token in the URL is the only key.
    _post_anonymously(reverse("lists:unsubscribe", args=[real]))
    gone = not Subscription.objects.filter(pk=subscription.pk).exists()
    assert gone or Subscription.objects.get(pk=subscription.pk).status != subscription.status
    with translation.override("en"):
        _post_anonymously(reverse("petitions:update_unsubscribe", args=[real_news]))
    assert not Signature.objects.get(pk=signature.pk).consent_lead
    print(f"\nEXEMPT: {len(EXEMPT)} views, {tried} wrong tokens refused, 2 genuine ones acted")


# --- 2. check --deploy -----------------------------------------------------------------------


def production_environment(tmp_path) -> dict[str, str]:
    """What README "Configuration" and "Deploying" give production (DEBUG=0 and the secrets;
    Redis for the cache, an SMTP relay for mail)."""
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "MFA_ENCRYPTION_KEY": secrets.token_urlsafe(48),
        "ALLOWED_HOSTS": "tadamun.example.org",
        "SITE_URL": "https://tadamun.example.org",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "EMAIL_HOST": "smtp.example.org",
        "DB_CONN_MAX_AGE": "60",
        "VAR_DIR": str(tmp_path),
    }
    for name in ("DJANGO_ALLOW_ASYNC_UNSAFE", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS"):
        env.pop(name, None)
    return env


def manage(env, *arguments):
    return subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=BASE,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_profile_passes_check_deploy(tmp_path):
    result = manage(
        production_environment(tmp_path), "check", "--deploy", "--fail-level", "WARNING"
    )
    output = result.stdout + result.stderr
    print(f"\ncheck --deploy: exit {result.returncode}: {result.stdout.strip()}")
    assert result.returncode == 0, output
    assert "WARNINGS" not in output
    assert "System check identified no issues (0 silenced)." in result.stdout


SHOW_SETTINGS = """
import json
import logging
from django.conf import settings as s
names = ["DEBUG", "SECURE_SSL_REDIRECT", "SECURE_PROXY_SSL_HEADER", "SESSION_COOKIE_SECURE",
         "SESSION_COOKIE_HTTPONLY", "SESSION_COOKIE_SAMESITE", "CSRF_COOKIE_SECURE",
         "LANGUAGE_COOKIE_SECURE", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS",
         "SECURE_HSTS_PRELOAD", "SECURE_CONTENT_TYPE_NOSNIFF", "SECURE_REFERRER_POLICY",
         "SECURE_CROSS_ORIGIN_OPENER_POLICY", "X_FRAME_OPTIONS", "CSRF_TRUSTED_ORIGINS",
         "MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN", "MAIL_CATCHER_ENABLED", "SILENCED_SYSTEM_CHECKS",
         "ACCOUNT_DEFAULT_HTTP_PROTOCOL"]
print(json.dumps({name: getattr(s, name) for name in names}))
"""


def test_production_profile_settings(tmp_path):
    result = manage(production_environment(tmp_path), "shell", "-c", SHOW_SETTINGS)
    assert result.returncode == 0, result.stderr
    production = json.loads(result.stdout.strip().splitlines()[-1])
    assert production == {
        "DEBUG": False,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "CSRF_COOKIE_SECURE": True,
        "LANGUAGE_COOKIE_SECURE": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": True,
        "SECURE_CONTENT_TYPE_NOSNIFF": True,
        "SECURE_REFERRER_POLICY": "same-origin",
        "SECURE_CROSS_ORIGIN_OPENER_POLICY": "same-origin",
        "X_FRAME_OPTIONS": "DENY",
        "CSRF_TRUSTED_ORIGINS": ["https://tadamun.example.org"],
        "MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN": False,
        "MAIL_CATCHER_ENABLED": False,
        "SILENCED_SYSTEM_CHECKS": [],
        "ACCOUNT_DEFAULT_HTTP_PROTOCOL": "https",
    }


# --- 3. headers -------------------------------------------------------------------------------


def directives(policy: str) -> dict[str, list[str]]:
    parsed = {}
    for part in policy.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


@pytest.mark.django_db
def test_content_security_policy_is_exactly_the_expected_one(client):
    response = client.get("/en/")
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == POLICY
    assert "Content-Security-Policy-Report-Only" not in response
    policy = directives(response["Content-Security-Policy"])
    for directive in ("script-src", "default-src"):
        for source in policy[directive]:
            assert source not in {"'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "*"}
            assert not source.endswith(":"), f"{directive} allows the scheme {source}"
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]


@pytest.mark.django_db
def test_security_headers_of_a_normal_page(client):
    response = client.get("/en/")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin" == settings.SECURE_REFERRER_POLICY
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.django_db
def test_the_widget_alone_may_be_framed(client):
    petition = PetitionFactory()
    partner = PartnerFactory(petition=petition)
    with translation.override("en"):
        urls = [
            reverse("petitions:widget", args=[petition.slug]),
            reverse("petitions:partner_widget", args=[petition.slug, partner.slug]),
        ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Security-Policy"] == WIDGET_POLICY
        assert "X-Frame-Options" not in response
        assert response["X-Content-Type-Options"] == "nosniff"


def test_frame_ancestors_exception_is_only_the_widget(world):
    """GET every URL as a coordinator: every answer forbids framing, but the widget's.

    X-Frame-Options is asked of every answer with a body: a redirect made before
    XFrameOptionsMiddleware runs (the signed-in person's language, PreferredLanguageMiddleware)
    carries only the CSP, which is enough for a body-less 3xx — the browser frames nothing."""
    client = signed_in(world.coordinator)
    found = endpoints(world)
    framable, missing, unframed_redirects = set(), [], 0
    for endpoint in found:
        response = client.get(endpoint.url)
        policy = response.headers.get("Content-Security-Policy")
        if policy is None:
            missing.append((endpoint.url, response.status_code))
            continue
        x_frame = response.headers.get("X-Frame-Options")
        if directives(policy)["frame-ancestors"] != ["'none'"]:
            framable.add(endpoint.name)
            assert policy == WIDGET_POLICY, endpoint.url
            assert x_frame is None, endpoint.url
        elif x_frame is None and 300 <= response.status_code < 400 and not response.content:
            unframed_redirects += 1
        else:
            assert x_frame == "DENY", (endpoint.url, response.status_code)
    print(
        f"\nFRAMING: {len(found)} URLs fetched, may be framed: {sorted(framable)}; "
        f"{unframed_redirects} empty redirects without X-Frame-Options (CSP only)"
    )
    assert not missing, f"answers without a Content-Security-Policy: {missing}"
    assert framable == WIDGETS


@pytest.mark.django_db
def test_quick_exit_without_javascript_works_signed_in():
    """Found by the framing sweep (its two redirects without X-Frame-Options): the no-JS
    quick exit of a signed-in person lands on the site's own 404 page, not the neutral one."""
    client = signed_in(UserFactory(member=True))
    response = client.get(reverse("quick_exit"), follow=True)
    assert response.status_code == 200
    assert settings.QUICK_EXIT_URL in response.content.decode()


# --- 4. no request to another host ---------------------------------------------------------


def _browser_sign_in(page, user) -> None:
    page.context.clear_cookies()
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": page.base}]
    )


@pytest.mark.browser
@pytest.mark.usefixtures("transactional_db")
def test_no_page_asks_another_host(page):
    member = UserFactory(member=True)
    coordinator = UserFactory(coordinator=True)
    add_totp(coordinator)
    petition = PetitionFactory()
    workgroup = WorkgroupFactory()
    WorkgroupMembershipFactory(workgroup=workgroup, user=member)
    make_social_post(member)

    seen: list[str] = []
    page.on("request", lambda request: seen.append(request.url))
    host = urlsplit(page.base).hostname
    visits = {
        None: [
            ("home", []),
            ("account_login", []),
            ("campaigns:list", []),
            ("petitions:petition", [petition.slug]),
            ("petitions:widget", [petition.slug]),
        ],
        member: [
            ("search:search", []),
            ("social:feed", []),
            ("workgroups:list", []),
            ("workgroups:workgroup", [workgroup.slug]),
            ("documents:library", []),
        ],
        coordinator: [("lockdown:page", []), ("privacy:report", [])],
    }
    pages = 0
    for language in ("en", "ar"):
        for user, names in visits.items():
            if user is None:
                page.context.clear_cookies()
            else:
                _browser_sign_in(page, user)
            for name, args in names:
                with translation.override(language):
                    address = page.base + reverse(name, args=args)
                response = page.goto(address, wait_until="networkidle")
                assert response.status == 200, f"{address} answered {response.status}"
                assert urlsplit(page.url).path == urlsplit(address).path, page.url
                pages += 1

    local = [url for url in seen if urlsplit(url).scheme in {"data", "blob"}]
    elsewhere = [url for url in seen if url not in local and urlsplit(url).hostname != host]
    print(
        f"\nREQUESTS: {pages} pages, {len(seen)} requests seen "
        f"({len(local)} data:/blob:), {len(elsewhere)} to another host than {host}"
    )
    assert pages == 24
    assert len(seen) > pages
    assert not elsewhere, f"requests to other hosts: {sorted(set(elsewhere))}"
