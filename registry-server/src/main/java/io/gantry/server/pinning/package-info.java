/**
 * Files pinned on register: a version created through MLflow's REST API with a {@code runs:/}, {@code models:/m-…}
 * or {@code mlflow-artifacts:} source is PENDING_UPLOAD (MLflow's PENDING_REGISTRATION) while Gantry copies its
 * files from MLflow's tracking server ({@code GANTRY_MLFLOW_TRACKING_URI}) into its content-addressed store, then
 * READY with its manifest digest, or FAILED (FAILED_REGISTRATION) with the reason in its status message. Only the
 * tracking server is ever contacted; docs/mlflow.md says what is pinned and what is refused.
 */
package io.gantry.server.pinning;
