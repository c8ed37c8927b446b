//! Roles from extendedKeyUsage OIDs.

use crate::identity::Role;

#[test]
fn every_profile_oid_round_trips() {
    for role in [
        Role::Individual,
        Role::LegalEntity,
        Role::FirstHead,
        Role::RightToSign,
        Role::Financial,
        Role::HumanResources,
        Role::Employee,
        Role::InformationSystem,
        Role::TreasuryClient,
        Role::SigningKey,
        Role::AuthenticationKey,
    ] {
        assert_eq!(Role::from_oid(role.oid()), role, "{role}");
    }
    assert_eq!(Role::from_oid("1.2.398.3.3.4.1.2.3"), Role::Financial);
    assert_eq!(Role::from_oid("1.2.398.3.3.4.1.2.4"), Role::HumanResources);
    assert_eq!(Role::from_oid("1.3.6.1.5.5.7.3.2"), Role::AuthenticationKey);
}

#[test]
fn information_system_with_a_suffix() {
    assert_eq!(
        Role::from_oid("1.2.398.3.3.4.1.2.6"),
        Role::InformationSystem
    );
    assert_eq!(
        Role::from_oid("1.2.398.3.3.4.1.2.6.1"),
        Role::InformationSystem
    );
    assert_eq!(
        Role::from_oid("1.2.398.3.3.4.1.2.6.42"),
        Role::InformationSystem
    );
    for other in [
        "1.2.398.3.3.4.1.2.60",
        "1.2.398.3.3.4.1.2.6.",
        "1.2.398.3.3.4.1.2.6.x",
        "1.2.398.3.3.4.1.2.6.1.2.a",
        "1.2.398.3.3.4.1.2.7",
        "1.2.398.3.3.4.1",
        "",
    ] {
        assert_eq!(Role::from_oid(other), Role::Other(other.into()), "{other}");
    }
}

#[test]
fn display() {
    assert_eq!(
        Role::RightToSign.to_string(),
        "right to sign (1.2.398.3.3.4.1.2.2)"
    );
    assert_eq!(Role::Other("1.2.3".into()).to_string(), "EKU 1.2.3");
}
