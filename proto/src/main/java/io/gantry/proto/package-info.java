/** Helpers for the gantry.v1 messages that server and client share. */
package io.gantry.proto;
