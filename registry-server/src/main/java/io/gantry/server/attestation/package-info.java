/** Signed promotion attestations: in-toto statements in DSSE envelopes, signed with the server's Ed25519 key. */
package io.gantry.server.attestation;
