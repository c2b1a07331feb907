// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IParticipantRegistry} from "./interfaces/IParticipantRegistry.sol";

/// @title ParticipantRegistry
/// @notice Roles and profiles of BorderLedger participants (spec §1). The admin (DEFAULT_ADMIN_ROLE)
///         registers, updates and revokes; `hasRole` read at a past block answers "did X hold role R then".
contract ParticipantRegistry is AccessControl, IParticipantRegistry {
    /// @notice A marketplace or seller platform: appends ORDER, DECLARATION and TAX_PAID.
    bytes32 public constant PLATFORM = keccak256("PLATFORM");
    /// @notice A postal operator or express carrier: appends DISPATCH, DECLARATION, TAX_PAID and DELIVERY.
    bytes32 public constant CARRIER = keccak256("CARRIER");
    /// @notice A customs broker or declarant: appends DECLARATION and TAX_PAID.
    bytes32 public constant BROKER = keccak256("BROKER");
    /// @notice A customs administration: appends its country's RISK_RESULT, INSPECTION, RELEASE and CLAIM_DECISION.
    bytes32 public constant CUSTOMS = keccak256("CUSTOMS");
    /// @notice A rights holder: appends CLAIM, owns brands in the ProductRegistry and anchors their catalogs.
    bytes32 public constant BRAND_OWNER = keccak256("BRAND_OWNER");
    /// @notice The operator of a node's log: anchors its checkpoints in the AnchorRegistry.
    bytes32 public constant LOG_OPERATOR = keccak256("LOG_OPERATOR");

    /// @notice The highest trust tier (1 = AEO-certified).
    uint8 public constant MAX_TRUST_TIER = 1;

    mapping(address account => Profile profile) private _profiles;

    /// @notice Hands DEFAULT_ADMIN_ROLE to the registry's one administrator.
    /// @param admin The account that holds DEFAULT_ADMIN_ROLE.
    constructor(address admin) {
        if (admin == address(0)) revert ParticipantRegistryZeroAddress();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    /// @inheritdoc IParticipantRegistry
    function register(address account, string calldata name, string calldata country, uint8 trustTier, bytes32[] calldata roles)
        external
        onlyRole(DEFAULT_ADMIN_ROLE)
    {
        if (account == address(0)) revert ParticipantRegistryZeroAddress();
        if (_profiles[account].active) revert ParticipantRegistryAlreadyRegistered(account);
        _checkProfile(name, country, trustTier);
        _profiles[account] = Profile({name: name, country: country, trustTier: trustTier, active: true});
        emit ParticipantRegistered(account, name, country, trustTier);
        for (uint256 i = 0; i < roles.length; ++i) {
            // Only participant roles here: the admin role is handed over with grantRole, on purpose.
            if (!_isParticipantRole(roles[i])) revert ParticipantRegistryUnknownRole(roles[i]);
            _grantRole(roles[i], account);
        }
    }

    /// @inheritdoc IParticipantRegistry
    function updateProfile(address account, string calldata name, string calldata country, uint8 trustTier)
        external
        onlyRole(DEFAULT_ADMIN_ROLE)
    {
        Profile storage profile = _profiles[account];
        if (!profile.active) revert ParticipantRegistryNotRegistered(account);
        _checkProfile(name, country, trustTier);
        profile.name = name;
        profile.country = country;
        profile.trustTier = trustTier;
        emit ParticipantUpdated(account, name, country, trustTier);
    }

    /// @inheritdoc IParticipantRegistry
    function revoke(address account) external onlyRole(DEFAULT_ADMIN_ROLE) {
        Profile storage profile = _profiles[account];
        if (!profile.active) revert ParticipantRegistryNotRegistered(account);
        profile.active = false;
        emit ParticipantRevoked(account);
        bytes32[6] memory all = [PLATFORM, CARRIER, BROKER, CUSTOMS, BRAND_OWNER, LOG_OPERATOR];
        for (uint256 i = 0; i < all.length; ++i) {
            _revokeRole(all[i], account);
        }
    }

    /// @inheritdoc IParticipantRegistry
    function profileOf(address account) external view returns (Profile memory) {
        return _profiles[account];
    }

    /// @inheritdoc IParticipantRegistry
    function isActive(address account) external view returns (bool) {
        return _profiles[account].active;
    }

    /// @dev Participant roles go only to active participants, and only BorderLedger's roles exist besides the admin's.
    ///      This also guards AccessControl's public grantRole.
    function _grantRole(bytes32 role, address account) internal override returns (bool) {
        if (role != DEFAULT_ADMIN_ROLE) {
            if (!_isParticipantRole(role)) revert ParticipantRegistryUnknownRole(role);
            if (!_profiles[account].active) revert ParticipantRegistryNotRegistered(account);
        }
        return super._grantRole(role, account);
    }

    function _isParticipantRole(bytes32 role) private pure returns (bool) {
        return role == PLATFORM || role == CARRIER || role == BROKER || role == CUSTOMS || role == BRAND_OWNER
            || role == LOG_OPERATOR;
    }

    function _checkProfile(string calldata name, string calldata country, uint8 trustTier) private pure {
        uint256 nameLength = bytes(name).length;
        if (nameLength == 0 || nameLength > 128) revert ParticipantRegistryInvalidName(name);
        bytes memory c = bytes(country);
        if (c.length != 2 || c[0] < "A" || c[0] > "Z" || c[1] < "A" || c[1] > "Z") {
            revert ParticipantRegistryInvalidCountry(country);
        }
        if (trustTier > MAX_TRUST_TIER) revert ParticipantRegistryInvalidTrustTier(trustTier);
    }
}
