-- An approver's memberships ('group:NAME', 'role:NAME') as an array: a group name may hold a comma, and the
-- comma-joined text read 'group:x,group:risk' back as membership in group:risk. Existing rows are split at their
-- commas, which is how they were read until now; only new decisions are exact.
alter table promotion_decision alter column memberships drop default;
-- jOOQ's DDL interpreter only needs the new type; the conversion is PostgreSQL's
alter table promotion_decision alter column memberships type text[]
    /* [jooq ignore start] */
    using case when memberships = '' then '{}'::text[] else string_to_array(memberships, ',') end
    /* [jooq ignore stop] */;
alter table promotion_decision alter column memberships set default '{}';
