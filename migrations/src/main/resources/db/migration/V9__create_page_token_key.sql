-- One row: the key that seals page tokens (AES-256-GCM), so a token made on one replica turns the page on another.
-- The first replica to start writes a random key (insert … on conflict do nothing); every replica then reads it.
create table page_token_key (
    id          boolean     primary key default true,
    secret      bytea       not null,
    create_time timestamptz not null default now(),
    constraint page_token_key_single_row check (id),
    constraint page_token_key_length check (length(secret) = 32)
);
