//! The acquirer of a production instance with no `card.base_url`: it refuses everything, so that
//! no card payment is ever taken by accident (and test cards never pay for real).

use crate::acquirer::{
    Acquirer, AcquirerError, AcquirerFuture, AuthorizationRequest, AuthorizationState,
    OperationRequest, OperationResult, Remitted,
};

/// The [`Acquirer`] used when no acquirer is configured: every call is refused
/// ([`AcquirerError::Refused`]), so nothing is ever charged.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoAcquirer;

fn refused<T: Send + 'static>(operation: &'static str) -> AcquirerFuture<'static, T> {
    Box::pin(async move {
        Err(AcquirerError::Refused {
            operation,
            detail: "no acquirer is configured (setting card.base_url)".into(),
        })
    })
}

impl Acquirer for NoAcquirer {
    fn authorize<'a>(
        &'a self,
        _request: &'a AuthorizationRequest<'a>,
    ) -> AcquirerFuture<'a, AuthorizationState> {
        refused("authorization")
    }

    fn complete_three_ds<'a>(
        &'a self,
        _reference: &'a str,
        _challenge_ref: &'a str,
    ) -> AcquirerFuture<'a, AuthorizationState> {
        refused("3-D Secure completion")
    }

    fn status<'a>(&'a self, _reference: &'a str) -> AcquirerFuture<'a, Option<AuthorizationState>> {
        refused("status")
    }

    fn capture<'a>(
        &'a self,
        _request: &'a OperationRequest,
    ) -> AcquirerFuture<'a, OperationResult> {
        refused("capture")
    }

    fn reset<'a>(&'a self, _request: &'a OperationRequest) -> AcquirerFuture<'a, OperationResult> {
        refused("reset")
    }

    fn refund<'a>(&'a self, _request: &'a OperationRequest) -> AcquirerFuture<'a, OperationResult> {
        refused("refund")
    }

    fn remit<'a>(&'a self, _references: &'a [String]) -> AcquirerFuture<'a, Vec<Remitted>> {
        refused("remittance")
    }
}
