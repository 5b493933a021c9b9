-- Web page sign-ins, kept here so that every replica knows them and Sign out ends one everywhere at once. The
-- browser's cookie holds a random 256-bit session id; only its SHA-256 is stored, and never the credential signed in
-- with: the row records who that credential proved the caller to be.

create table web_session (
    -- lower-case hex
    id_sha256        char(64)     primary key,
    principal        varchar(256) not null,
    groups           text[]       not null,
    -- how the credential was proven: 'header' (the loopback default), 'jwt' or 'api-token'
    authenticated_by varchar(16)  not null,
    -- the API token signed in with: while it is revoked or expired the session serves nothing
    api_token        uuid         references api_token (id) on delete cascade,
    create_time      timestamptz  not null,
    last_use_time    timestamptz  not null,
    -- the absolute end: the session lifetime, or the JWT's own expiry when that comes first
    expire_time      timestamptz  not null
);

create index web_session_expire_time on web_session (expire_time);
