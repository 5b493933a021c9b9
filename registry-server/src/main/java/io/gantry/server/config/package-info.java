/** The server's settings from its environment, and what they name: PostgreSQL (external or embedded), MLflow. */
package io.gantry.server.config;
