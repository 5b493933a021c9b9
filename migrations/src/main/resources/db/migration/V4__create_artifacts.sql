-- Managed artifacts: the files of a version (a manifest of path, size and digest) and the content-addressed
-- blobs they point at, which the janitor deletes once nothing references them for a grace period.

alter table model_version add column managed_artifacts boolean not null default false;
-- `sha256:` + hex over the canonical manifest, set when the version is finalized
alter table model_version add column manifest_digest varchar(80);

create table artifact_file (
    version_id bigint        not null references model_version (id) on delete cascade,
    path       varchar(1024) not null,
    size       bigint        not null,
    sha256     varchar(64)   not null,
    primary key (version_id, path),
    constraint artifact_file_size_check check (size >= 0)
);

create index artifact_file_sha256_idx on artifact_file (sha256);

-- every blob the store holds, as far as the registry knows; last_used moves with every upload of its content,
-- so a blob an upload has just found (and not yet referenced) is never within the janitor's reach
create table artifact_blob (
    sha256      varchar(64) primary key,
    size        bigint      not null,
    create_time timestamptz not null default now(),
    last_used   timestamptz not null default now()
);
