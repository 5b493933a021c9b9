package io.gantry.server.promotion;

/**
 * A request evaluated ahead of the lock.
 *
 * @param draft as asked for; a rollback's target is looked up again under the lock
 * @param resolved with a rollback's target found
 * @param basis what the evaluation saw
 */
record EvaluatedRequest(Draft draft, Draft resolved, Subject subject, Evaluation evaluation, Basis basis) {}
