/** Reading an MLflow model registry and its artifacts for {@code gantry import}, only from origins the user allowed. */
package io.gantry.client.mlflow;
