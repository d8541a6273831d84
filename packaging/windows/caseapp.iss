; Inno Setup 6 script: wraps the one-folder PyInstaller build in a per-user installer with a
; Start-menu entry. packaging/build.py runs it on Windows (iscc must be on PATH or in the
; default Inno Setup 6 folder) and passes the defines below; by hand, from the repository root:
;   iscc /DAppVersion=0.1.0 /DSourceDir=dist\bundle\caseapp /DOutputDir=dist\bundle ^
;        packaging\windows\caseapp.iss

#ifndef AppVersion
  #define AppVersion "0.0.0"
#endif
#ifndef SourceDir
  #define SourceDir "..\..\dist\bundle\caseapp"
#endif
#ifndef OutputDir
  #define OutputDir "..\..\dist\bundle"
#endif

[Setup]
AppId={{6C3A1F2E-7D44-4E1B-9A8C-2F5B7C0D9E31}
AppName=caseapp
AppVersion={#AppVersion}
AppVerName=caseapp {#AppVersion}
AppPublisher=caseapp
DefaultDirName={autopf}\caseapp
DefaultGroupName=caseapp
DisableProgramGroupPage=yes
; Installs for the current user without administrator rights (company laptops); an
; administrator can still choose "all users".
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir={#OutputDir}
OutputBaseFilename=caseapp-{#AppVersion}-windows-setup
Compression=lzma2
SolidCompression=yes
WizardStyle=modern
UninstallDisplayIcon={app}\caseapp.exe
#ifdef IconFile
SetupIconFile={#IconFile}
#endif

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\caseapp"; Filename: "{app}\caseapp.exe"; Comment: "Offline, encrypted case management"
Name: "{group}\Uninstall caseapp"; Filename: "{uninstallexe}"
Name: "{autodesktop}\caseapp"; Filename: "{app}\caseapp.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\caseapp.exe"; Description: "{cm:LaunchProgram,caseapp}"; Flags: nowait postinstall skipifsilent
