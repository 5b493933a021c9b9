/**
 * Reads the metadata files MLflow writes beside a model (MLmodel, requirements.txt, conda.yaml,
 * python_env.yaml) into the gantry.v1 messages the registry indexes and serves.
 *
 * <p>The parsed form is for querying: flavors, signature columns and pinned dependencies become
 * fields a client can filter on. The registry still keeps every file byte for byte, because MLflow
 * tools load the files, not our reading of them, and because MLflow's formats change between
 * releases: a key this package does not know today must still reach the client that does. The
 * parsers therefore follow what MLflow, pip and conda accept, reject what they would refuse, and
 * keep what they do not interpret (unknown MLmodel keys, whole flavor configurations) as data.
 */
package io.gantry.server.mlflow;
