/**
 * What every room shares: resource names and globs, request checks, the one write transaction, canonical bytes.
 *
 * <p>{@link io.gantry.server.common.Names} and {@link io.gantry.server.common.ModelGlob} name what a call acts on,
 * and {@link io.gantry.server.common.Violations} collects what is wrong with a request;
 * {@link io.gantry.server.common.Transactions} with {@link io.gantry.server.common.Tx},
 * {@link io.gantry.server.common.CommitHook}, {@link io.gantry.server.common.RequestKey},
 * {@link io.gantry.server.common.TagTable} and {@link io.gantry.server.common.Sql} is how every service writes;
 * {@link io.gantry.server.common.CanonicalJson}, {@link io.gantry.server.common.Digests} and
 * {@link io.gantry.server.common.SecretFiles} are what the hashing and signing rooms need. Nothing here knows gRPC
 * or HTTP.
 */
package io.gantry.server.common;
