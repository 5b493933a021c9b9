-- An alias move brought in by an import (gantry.v1.Imports) was made in another registry, by no promotion here.
alter table alias_move alter column promotion_id drop not null;
