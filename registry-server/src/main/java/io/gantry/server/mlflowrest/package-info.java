/** MLflow's Model Registry REST API and artifact proxy on the HTTP port, over the gRPC services in-process. */
package io.gantry.server.mlflowrest;
