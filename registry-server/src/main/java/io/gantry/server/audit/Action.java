package io.gantry.server.audit;

/**
 * What an audit event records. The names are part of the canonical encoding and never change; new
 * actions are only ever added.
 */
public enum Action {
  MODEL_CREATED,
  MODEL_UPDATED,
  MODEL_DELETED,
  TAG_SET,
  TAG_DELETED,
  VERSION_CREATED,
  VERSION_UPDATED,
  VERSION_ARCHIVED,
  EVALUATION_REPORTED,
  PERMISSION_DENIED,
  ALIAS_MOVED,
  POLICY_CHANGED,
  PROMOTION_REFUSED
}
