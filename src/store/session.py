"""Sessions: the only way code outside dossier.store reaches the warehouse.

`Warehouse.read()` hands out a `ReadSession` (a read-only connection: it never takes the
writer's place, and works on a read-only file), `Warehouse.write()` a `WriteSession` (one
transaction on the writer connection). A session groups the store's functions by what they
hold — `session.reviews.events(...)`, `session.accounts.get_user(...)` — so callers name
what they want and never see DuckDB, SQL or a connection.

The store's own modules take a session where they took a connection: `execute`, `register`
and `unregister` are passed through for them, and for them only (a test checks that no
module outside dossier.store calls them).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import cached_property, partial
from typing import Any, Concatenate, Generic, ParamSpec, TypeVar

import duckdb

from dossier.store import (
    accounts,
    alerts,
    articles,
    feeds,
    graph,
    judgements,
    profiles,
    queue,
    reviews,
    runs,
    snapshot,
)

P = ParamSpec("P")
R = TypeVar("R")


class _Bound(Generic[P, R]):
    """A store function with its first argument (the session) bound on attribute access."""

    def __init__(self, function: Callable[Concatenate[Any, P], R]) -> None:
        self.function = function
        self.__doc__ = function.__doc__

    def __get__(self, repository: Repository | None, owner: type) -> Callable[P, R]:
        if repository is None:
            return self  # type: ignore[return-value]  # the descriptor itself, for introspection
        return partial(self.function, repository.session)


def bind(function: Callable[Concatenate[Any, P], R]) -> _Bound[P, R]:
    """Expose a store function on a repository, its session argument filled in."""
    return _Bound(function)


class Repository:
    """The functions over one part of the warehouse, bound to a session."""

    def __init__(self, session: Session) -> None:
        self.session = session


class ProfilesRepository(Repository):
    """Evidence for assembly, draft revisions as runs write them, the refresh queue."""

    entities_of_articles = bind(profiles.entities_of_articles)
    mention_counts = bind(profiles.mention_counts)
    load_evidence = bind(profiles.load_evidence)
    newest_evidence = bind(profiles.newest_evidence)
    write_drafts = bind(profiles.write_drafts)
    find_profile = bind(profiles.find_profile)
    current_profiles = bind(profiles.current_profiles)
    article_dates = bind(profiles.article_dates)
    list_profiles = bind(profiles.list_profiles)
    queue_refresh = bind(profiles.queue_refresh)
    queued_refreshes = bind(profiles.queued_refreshes)
    dequeue_refresh = bind(profiles.dequeue_refresh)


class RevisionsRepository(Repository):
    """A profile's revisions and the reviewer overrides laid on top of its drafts."""

    revisions = bind(reviews.revisions)
    revision = bind(reviews.revision)
    approved_revisions = bind(reviews.approved_revisions)
    set_status = bind(reviews.set_status)
    active_overrides = bind(reviews.active_overrides)
    record_override = bind(reviews.record_override)


class ReviewsRepository(Repository):
    """The review queue, the organisations it names, and the audit log."""

    queue_page = bind(queue.queue_page)
    queue_counts = bind(queue.queue_counts)
    queue_neighbours = bind(queue.queue_neighbours)
    filter_values = bind(reviews.filter_values)
    append_event = bind(reviews.append_event)
    events = bind(reviews.events)
    count_events = bind(reviews.count_events)
    event_reviewers = bind(reviews.event_reviewers)
    find_entities = bind(reviews.find_entities)
    search_organisations = bind(reviews.search_organisations)
    entity_articles = bind(reviews.entity_articles)
    entity_aliases = bind(reviews.entity_aliases)


class ClaimsRepository(Repository):
    """Claims with their sources, and reviewers' verdicts on them."""

    entity_claims = bind(reviews.entity_claims)
    claim_in_context = bind(reviews.claim_in_context)
    claim_parties = bind(reviews.claim_parties)
    claim_copies = bind(reviews.claim_copies)
    record_claim_verdict = bind(reviews.record_claim_verdict)


class JudgementsRepository(Repository):
    """Reviewers' identity judgements (merge, split) and what each one moved."""

    load = bind(judgements.load_judgements)
    organisation_name = bind(judgements.organisation_name)
    holds_alias = bind(judgements.holds_alias)
    mention_texts = bind(judgements.mention_texts)
    record_merge = bind(judgements.record_merge)
    record_split = bind(judgements.record_split)
    active = bind(judgements.active_judgement)
    merged_into = bind(judgements.merged_into)
    splits_off = bind(judgements.splits_off)
    merge_preview = bind(judgements.merge_preview)
    split_preview = bind(judgements.split_preview)
    revert = bind(judgements.revert_judgement)
    retire_profiles = bind(judgements.retire_profiles)


class AccountsRepository(Repository):
    """People who may sign in to the desk, and their sign-in attempts."""

    add_user = bind(accounts.add_user)
    get_user = bind(accounts.get_user)
    list_users = bind(accounts.list_users)
    has_users = bind(accounts.has_users)
    disable_user = bind(accounts.disable_user)
    set_password_hash = bind(accounts.set_password_hash)
    bump_session_version = bind(accounts.bump_session_version)
    record_login_attempt = bind(accounts.record_login_attempt)
    prune_login_attempts = bind(accounts.prune_login_attempts)
    recent_failures = bind(accounts.recent_failures)


class RunsRepository(Repository):
    """Ingestion runs: their records and the warehouse's totals."""

    start_run = bind(runs.start_run)
    close_interrupted = bind(runs.close_interrupted)
    finish_run = bind(runs.finish_run)
    list_runs = bind(runs.list_runs)
    find_run = bind(runs.find_run)
    warehouse_totals = bind(runs.warehouse_totals)


class FeedsRepository(Repository):
    """Configured feeds, their validators and health."""

    add_feed = bind(feeds.add_feed)
    ensure_feeds = bind(feeds.ensure_feeds)
    feed_state = bind(feeds.feed_state)
    remove_feed = bind(feeds.remove_feed)
    list_feeds = bind(feeds.list_feeds)
    record_polls = bind(feeds.record_polls)


class ArticlesRepository(Repository):
    """Articles and the evidence extracted from them."""

    load_entry_state = bind(articles.load_entry_state)
    load_alias_index = bind(articles.load_alias_index)
    load_near_duplicate_candidates = bind(articles.load_near_duplicate_candidates)
    write_buckets = bind(articles.write_buckets)
    load_entity_names = bind(articles.load_entity_names)
    write_failures = bind(articles.write_failures)
    link_entities = bind(articles.link_entities)
    write_articles = bind(articles.write_articles)
    count_stale = bind(articles.count_stale)
    stale_article_ids = bind(articles.stale_article_ids)
    load_stored_articles = bind(articles.load_stored_articles)


class ExportsRepository(Repository):
    """The documented views as files, for analysts."""

    public_views = bind(snapshot.public_views)
    export_parquet = bind(snapshot.export_parquet)
    organisation_graph = bind(graph.organisation_graph)


class AlertsRepository(Repository):
    """Watchlists, the alerts runs raise against them, and their webhook delivery."""

    add_watch = bind(alerts.add_watch)
    list_watches = bind(alerts.list_watches)
    remove_watch = bind(alerts.remove_watch)
    changed_claims = bind(alerts.changed_claims)
    organisation_states = bind(alerts.organisation_states)
    known_grades = bind(alerts.known_grades)
    record_grades = bind(alerts.record_grades)
    add_alerts = bind(alerts.add_alerts)
    list_alerts = bind(alerts.list_alerts)
    pending_alerts = bind(alerts.pending_alerts)
    record_delivery = bind(alerts.record_delivery)


class Session:
    """One use of the warehouse: a connection wrapped, with the repositories over it."""

    writable = False

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self._con = con

    @cached_property
    def profiles(self) -> ProfilesRepository:
        return ProfilesRepository(self)

    @cached_property
    def revisions(self) -> RevisionsRepository:
        return RevisionsRepository(self)

    @cached_property
    def reviews(self) -> ReviewsRepository:
        return ReviewsRepository(self)

    @cached_property
    def claims(self) -> ClaimsRepository:
        return ClaimsRepository(self)

    @cached_property
    def judgements(self) -> JudgementsRepository:
        return JudgementsRepository(self)

    @cached_property
    def accounts(self) -> AccountsRepository:
        return AccountsRepository(self)

    @cached_property
    def runs(self) -> RunsRepository:
        return RunsRepository(self)

    @cached_property
    def feeds(self) -> FeedsRepository:
        return FeedsRepository(self)

    @cached_property
    def articles(self) -> ArticlesRepository:
        return ArticlesRepository(self)

    @cached_property
    def alerts(self) -> AlertsRepository:
        return AlertsRepository(self)

    @cached_property
    def exports(self) -> ExportsRepository:
        return ExportsRepository(self)

    # --- for the store's own modules ------------------------------------------------------

    def execute(self, sql: str, params: Sequence[object] | Mapping[str, object] | None = None) -> duckdb.DuckDBPyConnection:
        """Run one statement (the store's modules only)."""
        return self._con.execute(sql, params)

    def register(self, name: str, data: object) -> duckdb.DuckDBPyConnection:
        """Make an Arrow table or DataFrame queryable as `name` (the store's bulk writes)."""
        return self._con.register(name, data)

    def unregister(self, name: str) -> duckdb.DuckDBPyConnection:
        return self._con.unregister(name)


class ReadSession(Session):
    """A read-only session: for every page, listing and report."""


class WriteSession(Session):
    """A session inside one write transaction: committed when its block ends without error."""

    writable = True
