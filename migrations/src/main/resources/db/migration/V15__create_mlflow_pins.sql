-- Files pinned on register: a version created through MLflow's REST API with a runs:/, models:/m-… or
-- mlflow-artifacts: source, while GANTRY_MLFLOW_TRACKING_URI is set, is PENDING_UPLOAD until Gantry has copied
-- its files from the tracking server. One row per copy still to do; any replica may take it once its lease lapses
-- (a replica that stopped or crashed mid-copy), and the row goes when the version is READY or FAILED.

-- why a version is not (yet) READY, in MLflow's words its `status_message`; empty for most versions
alter table model_version add column status_message text not null default '';

create table mlflow_pin (
    version_id  bigint      primary key references model_version (id) on delete cascade,
    attempts    integer     not null default 0,
    lease_until timestamptz not null default now(),
    claimed_by  text        not null default '',
    create_time timestamptz not null default now()
);

create index mlflow_pin_lease_until_idx on mlflow_pin (lease_until);
