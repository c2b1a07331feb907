// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

/// @title IParticipantRegistry
/// @notice Who may do what on BorderLedger: roles (OpenZeppelin AccessControl) and a profile per participant.
///         Its address is the EIP-712 `verifyingContract` of every BorderLedger signature.
interface IParticipantRegistry {
    /// @notice A participant's profile.
    /// @param name Display name.
    /// @param country ISO 3166-1 alpha-2 country; for CUSTOMS, its jurisdiction.
    /// @param trustTier 0 = none, 1 = AEO-certified.
    /// @param active False once the participant has been revoked.
    struct Profile {
        string name;
        string country;
        uint8 trustTier;
        bool active;
    }

    /// @notice A participant was registered with a profile.
    /// @param account The participant's address.
    /// @param name Display name.
    /// @param country ISO 3166-1 alpha-2 country; for CUSTOMS, its jurisdiction.
    /// @param trustTier 0 = none, 1 = AEO-certified.
    event ParticipantRegistered(address indexed account, string name, string country, uint8 trustTier);
    /// @notice A participant's profile was changed.
    /// @param account The participant's address.
    /// @param name The new display name.
    /// @param country The new country.
    /// @param trustTier The new trust tier.
    event ParticipantUpdated(address indexed account, string name, string country, uint8 trustTier);
    /// @notice A participant was revoked: every participant role it held was revoked with it.
    /// @param account The participant's address.
    event ParticipantRevoked(address indexed account);

    /// @notice The account is already registered.
    error ParticipantRegistryAlreadyRegistered(address account);
    /// @notice The account has no active registration.
    error ParticipantRegistryNotRegistered(address account);
    /// @notice The account is the zero address.
    error ParticipantRegistryZeroAddress();
    /// @notice The display name is empty or longer than 128 bytes.
    error ParticipantRegistryInvalidName(string name);
    /// @notice The country is not two upper-case letters A-Z.
    error ParticipantRegistryInvalidCountry(string country);
    /// @notice The trust tier is above the highest defined tier.
    error ParticipantRegistryInvalidTrustTier(uint8 trustTier);
    /// @notice The role is not one of BorderLedger's participant roles.
    error ParticipantRegistryUnknownRole(bytes32 role);

    /// @notice Registers `account` with a profile and grants it `roles`. Admin only.
    /// @param account The participant's address.
    /// @param name Display name (1..128 bytes).
    /// @param country ISO 3166-1 alpha-2 code, upper case.
    /// @param trustTier 0 = none, 1 = AEO-certified.
    /// @param roles Participant roles to grant (PLATFORM, CARRIER, BROKER, CUSTOMS, BRAND_OWNER, LOG_OPERATOR).
    function register(address account, string calldata name, string calldata country, uint8 trustTier, bytes32[] calldata roles)
        external;

    /// @notice Replaces the profile of an active participant. Admin only.
    /// @param account The participant's address.
    /// @param name Display name (1..128 bytes).
    /// @param country ISO 3166-1 alpha-2 code, upper case.
    /// @param trustTier 0 = none, 1 = AEO-certified.
    function updateProfile(address account, string calldata name, string calldata country, uint8 trustTier) external;

    /// @notice Revokes an active participant: marks its profile inactive and revokes every participant role. Admin only.
    /// @param account The participant's address.
    function revoke(address account) external;

    /// @notice The profile of `account` (empty and inactive if it was never registered).
    /// @param account The participant's address.
    /// @return The profile.
    function profileOf(address account) external view returns (Profile memory);

    /// @notice Whether `account` is registered and not revoked.
    /// @param account The participant's address.
    /// @return True if active.
    function isActive(address account) external view returns (bool);
}
