package io.gantry.server.promotion;

import io.gantry.server.promotion.Promotion.Decision;

/** An approval evaluated ahead of the lock: the decision it adds, the verdicts with it, and what they saw. */
record EvaluatedApproval(Decision decision, Evaluation evaluation, Basis basis) {}
