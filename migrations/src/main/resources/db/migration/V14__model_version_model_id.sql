-- MLflow 3 registers a version from a logged model (`m-` and 32 hex digits) and names it in `model_id`
alter table model_version add column logged_model_id text not null default '';
