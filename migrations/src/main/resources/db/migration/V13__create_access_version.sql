-- One row: the version of who may do what. Every change to role bindings or API tokens raises it in its own
-- transaction, so a replica that reads the version, the bindings and the tokens in one snapshot knows which changes
-- its copy reflects, and never replaces a copy with one read from older data. Writers also queue on this row, so
-- versions follow the order in which access changes commit.
create table access_version (
    id      boolean primary key default true,
    version bigint  not null,
    constraint access_version_single_row check (id)
);

insert into access_version (id, version) values (true, 1);
