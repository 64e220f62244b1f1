//! `cvgate user create|list|disable|reset-password`: the back office's users. A password is
//! shown once, when cvgate makes it; only its argon2id hash is kept.

use super::error::CommandError;
use crate::cli::UserCommand;
use domain::back_office_user::{Password, User};
use gateway::BackOfficeUsers;
use gateway::back_office_users::UserRequest;
use serde_json::{Value, json};

/// Runs one `cvgate user` subcommand.
pub async fn run(
    users: &BackOfficeUsers,
    command: UserCommand,
    json: bool,
) -> Result<(), CommandError> {
    let fail = |error| CommandError::from_config(error, json);
    match command {
        UserCommand::Create {
            merchant,
            platform: _,
            email,
            role,
        } => {
            let request = UserRequest {
                merchant,
                email,
                role: role.unwrap_or_default(),
            };
            let (user, password) = users.create(&request).await.map_err(fail)?;
            print_password(&user, &password, "created", json);
        }
        UserCommand::List { merchant } => {
            let list = users.list(merchant.as_deref()).await.map_err(fail)?;
            print_users(&list, json);
        }
        UserCommand::Disable { email } => {
            let user = users.disable(&email).await.map_err(fail)?;
            print_users(std::slice::from_ref(&user), json);
        }
        UserCommand::ResetPassword { email } => {
            let (user, password) = users.reset_password(&email).await.map_err(fail)?;
            print_password(
                &user,
                &password,
                "has a new one-time password (the previous one no longer works)",
                json,
            );
        }
    }
    Ok(())
}

/// A password cvgate just made, shown this once.
fn print_password(user: &User, password: &Password, what: &str, json: bool) {
    if json {
        println!(
            "{}",
            json!({"email": user.email.as_str(), "password": password.expose()})
        );
        return;
    }
    println!("user {} {what}", user.email);
    println!("  e-mail:   {}", user.email);
    println!("  password: {}", password.expose());
    println!("The password is shown only now; it must be changed at the first sign-in.");
}

/// Users, one per line (never their password hashes).
fn print_users(users: &[User], json: bool) {
    if json {
        let list: Vec<Value> = users.iter().map(user_json).collect();
        println!("{}", Value::Array(list));
        return;
    }
    println!(
        "{:<36} {:<14} {:<9} {:<9} {:<24} MUST CHANGE PASSWORD",
        "E-MAIL", "MERCHANT", "ROLE", "STATUS", "CREATED (UTC)"
    );
    for user in users {
        println!(
            "{:<36} {:<14} {:<9} {:<9} {:<24} {}",
            user.email,
            user.merchant_id.as_ref().map_or("-", |id| id.as_str()),
            user.role,
            user.status.as_str(),
            user.created_at.to_rfc3339(),
            if user.must_change_password {
                "yes"
            } else {
                "no"
            }
        );
    }
}

fn user_json(user: &User) -> Value {
    json!({
        "email": user.email.as_str(),
        "merchantId": user.merchant_id.as_ref().map(|id| id.as_str()),
        "role": user.role.as_str(),
        "status": user.status.as_str(),
        "mustChangePassword": user.must_change_password,
        "createdAt": user.created_at.to_rfc3339(),
    })
}
