-- Gated promotion: policy bindings, promotions with their verdicts and decisions, aliases with a
-- compare-and-set revision, and every move of every alias.

-- policies bound to an alias on every model whose name matches a glob
create table policy_binding (
    id            bigint generated always as identity primary key,
    model_pattern varchar(256) not null,
    alias         varchar(64)  not null,
    purpose       varchar(16)  not null,
    -- [{"type": ..., "params": {...}}] in binding order: canonical JSON, the bytes the digest covers
    policies      text         not null,
    digest        varchar(64)  not null,
    update_time   timestamptz  not null default now(),
    updated_by    text         not null,
    constraint policy_binding_key unique (model_pattern, alias, purpose),
    constraint policy_binding_purpose_check check (purpose in ('promote', 'rollback', 'remove'))
);

create table promotion (
    -- keyset order for lists; the public name uses id
    seq                      bigint generated always as identity primary key,
    id                       uuid         not null,
    model_id                 bigint       not null references registered_model (id) on delete cascade,
    alias                    varchar(64)  not null,
    -- null for a removal
    version                  integer,
    kind                     varchar(16)  not null,
    state                    varchar(32)  not null,
    state_reason             text         not null default '',
    requester                varchar(256) not null,
    justification            text         not null default '',
    expected_current_version integer,
    archive_previous         boolean      not null,
    -- the alias's holder and revision when the request was made; the move compares-and-sets on it
    current_version          integer,
    alias_revision           bigint       not null,
    -- the latest evaluation: [{"policy", "outcome", "message", "facts"}]
    verdicts                 jsonb        not null,
    policy_set_digest        varchar(64)  not null,
    content_digest           varchar(80)  not null,
    create_time              timestamptz  not null default now(),
    update_time              timestamptz  not null default now(),
    expire_time              timestamptz  not null,
    constraint promotion_id_key unique (id),
    constraint promotion_kind_check check (kind in ('MOVE', 'ROLLBACK', 'REMOVE')),
    constraint promotion_state_check check (state in
        ('REJECTED', 'AWAITING_APPROVAL', 'APPLIED', 'CANCELLED', 'EXPIRED', 'SUPERSEDED'))
);

create index promotion_state_expire_idx on promotion (state, expire_time);
create index promotion_create_time_idx on promotion (create_time, seq);

-- approvals and rejections; an approval counts only while the version content and the policy set
-- it was given under are still those of the promotion
create table promotion_decision (
    promotion_seq     bigint       not null references promotion (seq) on delete cascade,
    principal         varchar(256) not null,
    approved          boolean      not null,
    comment           text         not null default '',
    content_digest    varchar(80)  not null,
    policy_set_digest varchar(64)  not null,
    create_time       timestamptz  not null default now(),
    primary key (promotion_seq, principal)
);

-- one row per alias ever used; a removed alias keeps its row (version null) so its revision keeps counting
create table model_alias (
    model_id     bigint       not null references registered_model (id) on delete cascade,
    alias        varchar(64)  not null,
    version      integer,
    revision     bigint       not null,
    update_time  timestamptz  not null default now(),
    updated_by   varchar(256) not null,
    promotion_id uuid,
    primary key (model_id, alias),
    constraint model_alias_version_fkey foreign key (model_id, version)
        references model_version (model_id, version)
);

-- every move of every alias, for history and as_of
create table alias_move (
    id           bigint       generated always as identity primary key,
    model_id     bigint       not null references registered_model (id) on delete cascade,
    alias        varchar(64)  not null,
    revision     bigint       not null,
    from_version integer,
    to_version   integer,
    move_time    timestamptz  not null default now(),
    moved_by     varchar(256) not null,
    promotion_id uuid         not null,
    constraint alias_move_revision_key unique (model_id, alias, revision)
);

create index alias_move_time_idx on alias_move (model_id, alias, move_time);
