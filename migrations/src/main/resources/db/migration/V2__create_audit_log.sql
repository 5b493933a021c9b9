-- The audit log: an append-only sequence of events, the leaves of an RFC 6962 Merkle tree.
-- docs/audit.md specifies the encoding; here is only storage.

create table audit_event (
    seq        bigint        primary key,
    event_id   uuid          not null,
    time       timestamptz   not null,
    actor      varchar(256)  not null,
    action     varchar(64)   not null,
    resource   varchar(1024) not null,
    request_id varchar(128)  not null,
    -- the exact bytes the leaf hash covers; every column above is a copy of a value inside it
    canonical  text          not null,
    constraint audit_event_event_id_key unique (event_id)
);

create index audit_event_resource_idx on audit_event (resource, seq);
create index audit_event_actor_idx on audit_event (actor, seq);
create index audit_event_time_idx on audit_event (time, seq);

-- complete, aligned subtrees: node (height, idx) covers leaves [idx * 2^height, (idx + 1) * 2^height)
create table audit_node (
    height smallint not null,
    idx   bigint   not null,
    hash  bytea    not null,
    primary key (height, idx)
);

-- one row: the tree's size and right edge. Appenders lock it, so every replica extends one tree.
create table audit_head (
    id       boolean primary key default true,
    size     bigint  not null,
    frontier bytea   not null,
    constraint audit_head_single_row check (id)
);

insert into audit_head (id, size, frontier) values (true, 0, '');

create table audit_checkpoint (
    tree_size   bigint      primary key,
    root_hash   bytea       not null,
    signed_note text        not null,
    create_time timestamptz not null default now()
);

-- [jooq ignore start]
create function audit_refuse_change() returns trigger language plpgsql as $$
begin
    raise exception 'the audit log is append-only: % on % is refused', tg_op, tg_table_name
        using errcode = 'insufficient_privilege';
end;
$$;

create trigger audit_event_append_only before update or delete on audit_event
    for each row execute function audit_refuse_change();
create trigger audit_event_no_truncate before truncate on audit_event
    for each statement execute function audit_refuse_change();
create trigger audit_node_append_only before update or delete on audit_node
    for each row execute function audit_refuse_change();
create trigger audit_node_no_truncate before truncate on audit_node
    for each statement execute function audit_refuse_change();
create trigger audit_checkpoint_append_only before update or delete on audit_checkpoint
    for each row execute function audit_refuse_change();
create trigger audit_checkpoint_no_truncate before truncate on audit_checkpoint
    for each statement execute function audit_refuse_change();
-- [jooq ignore stop]
