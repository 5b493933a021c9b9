-- Webhooks: subscriptions, and an outbox of events written in the transaction of the change they announce.

create table webhook (
    -- the id in 'webhooks/{id}', chosen by whoever creates it
    id            varchar(63)  primary key,
    url           text         not null,
    -- the CloudEvents types sent, comma-separated; '' for all
    event_types   text         not null default '',
    model_pattern varchar(256) not null,
    -- the HMAC key, as handed out once ('whsec_' + base64): the dispatcher must sign with it, so it is kept
    secret        text         not null,
    description   text         not null default '',
    create_time   timestamptz  not null default now(),
    created_by    varchar(256) not null
);

-- one row per audit event some webhook wanted; its id is the audit event's id, and the CloudEvent's
create table webhook_event (
    event_id      uuid         primary key,
    -- commit order: appenders hold the audit head's lock until they commit
    audit_seq     bigint       not null unique,
    type          varchar(64)  not null,
    subject       text         not null,
    body          text         not null,
    create_time   timestamptz  not null default now()
);

create table webhook_delivery (
    webhook_id        varchar(63)  not null references webhook (id) on delete cascade,
    event_id          uuid         not null references webhook_event (event_id),
    audit_seq         bigint       not null,
    state             varchar(16)  not null default 'PENDING',
    attempts          integer      not null default 0,
    next_attempt_time timestamptz  not null default now(),
    last_attempt_time timestamptz,
    last_status_code  integer,
    last_error        text         not null default '',
    deliver_time      timestamptz,
    primary key (webhook_id, event_id),
    constraint webhook_delivery_state_check check (state in ('PENDING', 'SENT', 'DEAD'))
);

-- a webhook's next delivery is its pending one with the lowest seq
create index webhook_delivery_pending on webhook_delivery (webhook_id, audit_seq) where state = 'PENDING';
create index webhook_delivery_by_seq on webhook_delivery (webhook_id, audit_seq);
