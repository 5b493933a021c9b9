/** Gated promotion: policy bindings, promotions, their verdicts and approvals. */
package io.gantry.server.promotion;
