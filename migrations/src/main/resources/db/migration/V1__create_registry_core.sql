-- The registry core: registered models, their numbered versions, tags, evaluations,
-- and the idempotency ledger of create requests.

create table registered_model (
    id           bigint generated always as identity primary key,
    name         varchar(256) not null,
    description  text        not null default '',
    -- the highest version number handed out; versions are allocated by incrementing this
    -- under the row lock inside the creating transaction, so they are gap-free and unique
    last_version integer     not null default 0,
    revision     bigint      not null default 1,
    create_time  timestamptz not null default now(),
    update_time  timestamptz not null default now(),
    created_by   text        not null,
    updated_by   text        not null,
    constraint registered_model_name_key unique (name)
);

create table model_tag (
    model_id bigint not null references registered_model (id) on delete cascade,
    key      varchar(250) not null,
    value    text   not null,
    primary key (model_id, key)
);

create table model_version (
    id                bigint generated always as identity primary key,
    model_id          bigint      not null references registered_model (id) on delete cascade,
    version           integer     not null,
    status            text        not null,
    source            text        not null default '',
    run_id            text        not null default '',
    run_link          text        not null default '',
    description       text        not null default '',
    -- the MLflow files exactly as uploaded, and their parsed form (gantry.v1 messages in proto JSON)
    mlmodel_text      text,
    requirements_text text,
    conda_text        text,
    python_env_text   text,
    mlmodel           jsonb,
    dependencies      jsonb,
    revision          bigint      not null default 1,
    create_time       timestamptz not null default now(),
    update_time       timestamptz not null default now(),
    created_by        text        not null,
    updated_by        text        not null,
    constraint model_version_model_id_version_key unique (model_id, version),
    constraint model_version_status_check
        check (status in ('PENDING_UPLOAD', 'READY', 'FAILED', 'ARCHIVED'))
);

create index model_version_create_time_idx on model_version (create_time, id);

create table version_tag (
    version_id bigint not null references model_version (id) on delete cascade,
    key        varchar(250) not null,
    value      text   not null,
    primary key (version_id, key)
);

-- every report is kept; nothing here is updated
create table evaluation (
    id             bigint generated always as identity primary key,
    version_id     bigint      not null references model_version (id) on delete cascade,
    dataset        text        not null,
    dataset_digest text        not null default '',
    create_time    timestamptz not null default now(),
    created_by     text        not null
);

create table evaluation_metric (
    evaluation_id bigint           not null references evaluation (id) on delete cascade,
    key           varchar(250)     not null,
    value         double precision not null,
    primary key (evaluation_id, key)
);

-- the latest value of each metric per dataset, maintained with every report so that
-- reads and `metrics.DATASET.KEY` filters need no aggregation
create table version_metric (
    version_id     bigint           not null references model_version (id) on delete cascade,
    dataset        varchar(256)     not null,
    key            varchar(250)     not null,
    value          double precision not null,
    evaluation_id  bigint           not null references evaluation (id) on delete cascade,
    primary key (version_id, dataset, key)
);

-- idempotent creates: the first result of each (method, request_id)
create table create_request (
    method        varchar(64)  not null,
    request_id    varchar(128) not null,
    request_hash  bytea       not null,
    resource_name text        not null,
    create_time   timestamptz not null default now(),
    primary key (method, request_id)
);
