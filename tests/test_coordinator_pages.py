"""What a new coordinator and admin found wanting on the program, relationship and admin pages."""

# The fixtures imported from the other test modules are named again as test arguments.
# ruff: noqa: F811

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import pytest

from mentorkit.programs import pages as program_pages
from mentorkit.testing.auth import create_user
from tests.test_mentoring_pages import RECENT, act_as, form, ok, people, spring_pair  # noqa: F401 - people is a fixture


def ids_of(page: str) -> Counter[str]:
    return Counter(re.findall(r'\sid="([^"]+)"', page))


def enrol(c: Any, email: str, pid: int, role: str) -> int:
    h = act_as(c, email)
    return int(ok(c.post(f"/api/v1/programs/{pid}/enrolments", json={"role": role}, headers=h), 201)["id"])


def new_program(c: Any, slug: str = "autumn", fmt: str = "one_to_one", description: str = "") -> int:
    h = act_as(c, "ada@example.org")
    body = {"slug": slug, "name": slug.title(), "format": fmt, "description": description}
    pid = int(ok(c.post("/api/v1/programs", json=body, headers=h), 201)["id"])
    ok(c.post(f"/api/v1/programs/{pid}/state", json={"state": "enrolling"}, headers=h))
    return pid


def test_relationship_history_names_who_made_each_change(mentorkit_client: Any, people: Any) -> None:
    c = mentorkit_client
    _, rid, _ = spring_pair(c)
    act_as(c, "mia@example.org")
    c.post(f"/relationships/{rid}/complete", data=form(c, confirm="on"), follow_redirects=False)
    page = ok(c.get(f"/relationships/{rid}?section=history")).text
    history = page.partition(">History<")[2]
    assert "by Ada Admin" in history and "by Mia Mentee" in history
    assert ok(c.get(f"/api/v1/relationships/{rid}"))["transitions"][-1]["actor_name"] == "Mia Mentee"


def test_members_can_end_a_relationship_early_from_its_page(mentorkit_client: Any, people: Any) -> None:
    c = mentorkit_client
    pid, rid, _ = spring_pair(c)
    act_as(c, "mia@example.org")
    page = ok(c.get(f"/relationships/{rid}")).text
    assert f'action="/relationships/{rid}/end#change"' in page  # posted to its card: an error shows there
    response = c.post(f"/relationships/{rid}/end", data=form(c, reason="I moved"))
    assert response.status_code == 400 and "tick the box" in response.text.lower()
    response = c.post(f"/relationships/{rid}/end", data=form(c, reason="I moved", confirm="on", reason_code="left"),
                      follow_redirects=False)
    assert response.status_code == 303
    view = ok(c.get(f"/api/v1/relationships/{rid}"))
    assert view["relationship"]["state"] == "ended_early" and view["transitions"][-1]["reason"] == "I moved"
    # ... after which withdrawing works, as the refusal said.
    mine = ok(c.get(f"/api/v1/programs/{pid}"))["my_enrolments"][0]["id"]
    h = act_as(c, "mia@example.org")
    ok(c.post(f"/api/v1/programs/{pid}/enrolments/{mine}/withdraw", headers=h))


def test_the_program_page_has_sections_and_the_overview_comes_first(mentorkit_client: Any, people: Any) -> None:
    c = mentorkit_client
    pid, _, _ = spring_pair(c)
    overview = ok(c.get(f"/programs/{pid}")).text
    assert 'aria-label="Program sections"' in overview
    for section in ("participants", "pairing", "relationships", "staff"):
        assert f'href="/programs/{pid}?section={section}"' in overview
    assert overview.count('/withdraw"') == 1  # Ada's own enrolment; other people's are one click away
    assert "Waiting to be paired" in overview
    participants = ok(c.get(f"/programs/{pid}?section=participants")).text
    assert "Mia Mentee" in participants and 'aria-current="page">Participants' in participants


def test_destructive_actions_are_secondary_and_confirmed_without_javascript(
    mentorkit_client: Any, people: Any
) -> None:
    c = mentorkit_client
    pid = new_program(c)
    enrol(c, "mia@example.org", pid, "mentee")
    act_as(c, "ada@example.org")
    for url in (f"/programs/{pid}?section=participants", "/admin"):
        page = ok(c.get(url)).text
        # Every red button sits in a confirmation panel that a quiet button opens first.
        assert page.count("button--danger") == page.count('<details class="confirm">') - page.count(
            "Reactivate"
        ) - page.count("Sign out everywhere</summary>")
        for summary in re.findall(r"<summary[^>]*>", page):
            assert "button--secondary" in summary and "button--danger" not in summary
        assert "data-confirm" not in page


def test_participants_can_be_searched_and_paged(
    mentorkit_client: Any, people: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    c = mentorkit_client
    monkeypatch.setattr(program_pages, "PAGE_SIZE", 2)
    pid = new_program(c)
    for email in ("mo@example.org", "mia@example.org", "otto@example.org"):
        enrol(c, email, pid, "mentee")
    act_as(c, "ada@example.org")
    first = ok(c.get(f"/programs/{pid}?section=participants")).text
    assert "3 participants" in first and "Page 1 of 2" in first
    assert f'href="/programs/{pid}?section=participants&amp;page=2"' in first
    second = ok(c.get(f"/programs/{pid}?section=participants&page=2")).text
    assert "Otto Other" in second and "Mo Mentor" not in second
    found = ok(c.get(f"/programs/{pid}?section=participants&q=MIA")).text
    assert "1 participant matches" in found and "Mia Mentee" in found and "Otto Other" not in found
    assert 'value="MIA"' in found


def test_admins_search_and_page_the_people_list_keeping_the_search(
    mentorkit_client: Any, people: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mentorkit.accounts import services

    c = mentorkit_client
    monkeypatch.setattr(services, "PEOPLE_PAGE_SIZE", 2)
    for n in range(3):
        create_user(c, f"m{n}@example.org", f"Mentee Number {n}")
    act_as(c, "ada@example.org")
    page = ok(c.get("/admin")).text
    assert "7 accounts" in page and "Page 1 of 4" in page and 'href="/admin?page=2"' in page
    found = ok(c.get("/admin?q=number")).text
    assert "3 of 7 accounts match" in found and 'href="/admin?q=number&amp;page=2"' in found
    assert "Ada Admin" not in found.partition("People")[2]
    by_email = ok(c.get("/admin?q=otto%40example")).text
    assert "Otto Other" in by_email and "1 of 7" in by_email
    # An action returns to the list as it was.
    uid = re.search(r'action="/admin/users/(\d+)/sessions/revoke"', found)
    assert uid
    back = re.search(r'name="back" value="([^"]+)"', found)
    assert back and back.group(1) == "/admin?q=number"
    response = c.post(
        f"/admin/users/{uid.group(1)}/sessions/revoke", data=form(c, back="/admin?q=number"), follow_redirects=False
    )
    assert response.headers["location"] == "/admin?q=number"
    response = c.post(
        f"/admin/users/{uid.group(1)}/sessions/revoke", data=form(c, back="https://evil.example/"),
        follow_redirects=False,
    )
    assert response.headers["location"] == "/admin"


def test_group_programs_can_be_paired_in_the_page(mentorkit_client: Any, people: Any) -> None:
    c = mentorkit_client
    create_user(c, "max@example.org", "Max Mentee")
    pid = new_program(c, "circle", fmt="group")
    mentor = enrol(c, "mo@example.org", pid, "mentor")
    mentees = [enrol(c, email, pid, "mentee") for email in ("mia@example.org", "max@example.org")]
    act_as(c, "ada@example.org")
    page = ok(c.get(f"/programs/{pid}?section=pairing")).text
    assert 'type="checkbox"' in page and "Choose 2 to 8." in page and "Mentees" in page
    one = {**form(c), "mentor": str(mentor), "mentee": str(mentees[0])}
    response = c.post(f"/programs/{pid}/relationships", data=one)
    assert response.status_code == 400 and "needs 2 to 8 mentee" in response.text
    assert f'value="{mentees[0]}" checked' in response.text
    response = c.post(
        f"/programs/{pid}/relationships",
        data={**form(c), "mentor": str(mentor), "mentee": [str(m) for m in mentees]},
        follow_redirects=False,
    )
    assert response.status_code == 303
    [relationship] = ok(c.get(f"/api/v1/programs/{pid}/relationships"))
    assert sorted(m["role"] for m in relationship["members"]) == ["mentee", "mentee", "mentor"]


def test_people_with_the_same_name_can_be_told_apart(mentorkit_client: Any, people: Any) -> None:
    c = mentorkit_client
    create_user(c, "dmitri.1@example.org", "Dmitri Novák")
    create_user(c, "dmitri.2@example.org", "Dmitri Novák")
    pid = new_program(c)
    for email in ("dmitri.1@example.org", "dmitri.2@example.org"):
        enrol(c, email, pid, "mentor")
    act_as(c, "ada@example.org")
    pairing = ok(c.get(f"/programs/{pid}?section=pairing")).text
    assert "Dmitri Novák (dmitri.1@example.org)" in pairing and "Dmitri Novák (dmitri.2@example.org)" in pairing
    participants = ok(c.get(f"/programs/{pid}?section=participants")).text
    for email in ("dmitri.1@example.org", "dmitri.2@example.org"):
        assert re.search(rf"<span>Dmitri Novák <span class=\"muted small\">{re.escape(email)}</span>", participants)


def test_every_field_id_is_unique_and_each_label_points_at_its_own_field(
    mentorkit_client: Any, people: Any
) -> None:
    c = mentorkit_client
    pid, _, _ = spring_pair(c)
    for section in ("overview", "participants", "pairing", "relationships", "staff"):
        page = ok(c.get(f"/programs/{pid}?section={section}")).text
        assert [i for i, n in ids_of(page).items() if n > 1] == [], section
    staff = ok(c.get(f"/programs/{pid}?section=staff")).text
    assert '<label class="field__label" for="f-staff-role">Role' in staff and 'id="f-staff-role"' in staff
    # The enrol form's role and the staff form's role both appear when the staff form fails.
    response = c.post(f"/programs/{pid}/staff", data=form(c, email="nobody@example.org", role="observer"))
    assert response.status_code == 400 and 'href="#f-staff-email"' in response.text


def test_notifications_are_in_the_navigation(mentorkit_client: Any, people: Any) -> None:
    c = mentorkit_client
    act_as(c, "mia@example.org")
    nav = ok(c.get("/")).text.partition('aria-label="Main"')[2].partition("</nav>")[0]
    assert 'href="/notifications"' in nav


def test_the_program_list_shows_format_labels(mentorkit_client: Any, people: Any) -> None:
    c = mentorkit_client
    new_program(c, "circle", fmt="group")
    act_as(c, "ada@example.org")
    page = ok(c.get("/programs")).text
    assert "Group mentoring" in page and ">group<" not in page


def test_program_descriptions_keep_their_paragraphs_escaped(mentorkit_client: Any, people: Any) -> None:
    c = mentorkit_client
    pid = new_program(c, description="First paragraph.\r\n\r\nSecond <b>one</b>\r\nwith a line break.")
    page = ok(c.get(f"/programs/{pid}")).text
    assert "<p>First paragraph.</p>" in page
    assert "<p>Second &lt;b&gt;one&lt;/b&gt;<br>with a line break.</p>" in page


def test_table_cells_carry_their_column_labels_for_phones(mentorkit_client: Any, people: Any) -> None:
    c = mentorkit_client
    pid, rid, _ = spring_pair(c)
    urls = [f"/programs/{pid}?section={s}" for s in ("participants", "relationships")]
    urls += ["/programs", "/admin", f"/relationships/{rid}?section=sessions", "/account"]
    act_as(c, "mia@example.org")
    held_at = RECENT.strftime("%Y-%m-%dT%H:%M")
    c.post(f"/relationships/{rid}/sessions", data=form(c, held_at=held_at, duration_minutes="30", title="Kick-off"))
    for who in ("mia@example.org", "ada@example.org"):
        act_as(c, who)
        for url in urls:
            response = c.get(url)
            if response.status_code != 200:
                continue
            cells = re.findall(r"<td[^>]*>", response.text)
            assert cells or who != "ada@example.org", url
            assert [cell for cell in cells if "data-label" not in cell] == [], url


def test_error_summaries_use_the_fields_labels(mentorkit_client: Any) -> None:
    c = mentorkit_client
    c.get("/signup")
    response = c.post("/signup", data=form(c, email="x@example.org", display_name="", password="a long enough one"))
    assert response.status_code == 400
    assert "Your name: " in response.text and "Display name" not in response.text



@pytest.mark.parametrize(("query", "status"), [
    ("q=a%00b", 400), ("q=" + "x" * 5000, 200), ("page=0", 200), ("page=99999999999999999999", 200),
    ("page=x", 400),
])
def test_search_terms_and_page_numbers_out_of_bounds_never_fail(
    mentorkit_client: Any, people: Any, query: str, status: int
) -> None:
    # A NUL would fail on PostgreSQL (ILIKE) and a huge page would overflow OFFSET: a NUL is a
    # 400 before any query runs, a page beyond the ends shows the nearest page, a long term is cut.
    c = mentorkit_client
    pid, _, _ = spring_pair(c)
    act_as(c, "ada@example.org")
    for url in (f"/admin?{query}", f"/programs/{pid}?section=participants&{query}"):
        assert c.get(url).status_code == status, url


def test_only_site_admins_may_search_people(mentorkit_client: Any, people: Any) -> None:
    from mentorkit.accounts import services
    from mentorkit.errors import PermissionDenied

    c = mentorkit_client
    with pytest.raises(PermissionDenied):
        c.run(lambda: services.search_people("", 1, people["mentee"]))
    assert c.run(lambda: services.search_people("mia", 1, people["admin"])).total == 1
