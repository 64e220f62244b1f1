//! The pieces of `two_instances_suite`: the cluster and its load balancer, the buyers' flows,
//! the merchant's refunds, the money checks.

pub mod checks;
pub mod cluster;
pub mod flows;
pub mod refunds;
