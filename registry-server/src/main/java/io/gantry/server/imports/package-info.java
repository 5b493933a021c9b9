/** Imports from another registry: models, versions and aliases with the times, users and numbers it recorded. */
package io.gantry.server.imports;
