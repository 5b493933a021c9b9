/** The audit log: events appended with the change they record, in a Merkle tree, proved, exported, signed. */
package io.gantry.server.audit;
