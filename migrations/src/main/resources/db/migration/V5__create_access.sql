-- Identity and access: roles bound to principals or groups on model-name globs, and static API tokens.

create table role_binding (
    id            bigint generated always as identity primary key,
    -- 'user:{principal}' or 'group:{group}'
    subject       varchar(263) not null,
    role          varchar(16)  not null,
    model_pattern varchar(256) not null,
    -- the aliases a publisher may request or an approver decide on, comma-separated; '' for all
    aliases       text         not null default '',
    create_time   timestamptz  not null default now(),
    created_by    varchar(256) not null,
    constraint role_binding_key unique (subject, role, model_pattern),
    constraint role_binding_role_check check (role in ('viewer', 'publisher', 'approver', 'auditor', 'admin'))
);

-- the secret itself is never stored: only its SHA-256, compared in constant time
create table api_token (
    id            uuid         primary key,
    principal     varchar(256) not null,
    description   text         not null default '',
    secret_sha256 bytea        not null,
    create_time   timestamptz  not null default now(),
    created_by    varchar(256) not null,
    expire_time   timestamptz,
    revoke_time   timestamptz,
    revoked_by    varchar(256),
    last_use_time timestamptz
);

-- what an approver was besides its name when approving ('group:NAME', 'role:NAME', comma-separated), for the
-- approvals policy's group and role entries
alter table promotion_decision add column memberships text not null default '';
