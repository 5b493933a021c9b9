package io.gantry.server.access;

/** What a call needs; roles give rights (see {@link Role}). */
public enum Right {
  /** Read models, versions, aliases, promotions, policies; resolve, watch, download. */
  READ,
  /** Create and change models and versions, upload, report evaluations, request promotions. */
  PUBLISH,
  /** Approve and reject promotions. */
  APPROVE,
  /** Read, export and prove the audit log. */
  AUDIT,
  /** Role bindings, API tokens, promotion policies, deleting models. */
  ADMIN
}
