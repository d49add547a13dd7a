from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.names import TranslatedName


class Department(TranslatedName):
    name = models.CharField(_("name"), max_length=120, unique=True)
    manager = models.ForeignKey(
        "assets.Employee",
        verbose_name=_("manager"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managed_departments",
    )

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.translated_name


class Location(TranslatedName):
    """A place: site, building, floor, room. Shown as a path like "HQ / B / 2 / 214". The site is its name,
    given per language (a "Warehouse" is a "Lager" to a Swedish reader); `path` is the path as written, the
    key the CSV import matches, and str() the path as the reader reads it."""

    translated_field = "site"

    site = models.CharField(_("site"), max_length=80)
    building = models.CharField(_("building"), max_length=80, blank=True)
    floor = models.CharField(_("floor"), max_length=20, blank=True)
    room = models.CharField(_("room"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("location")
        verbose_name_plural = _("locations")
        ordering = ["site", "building", "floor", "room"]
        constraints = [
            models.UniqueConstraint(fields=["site", "building", "floor", "room"], name="location_unique_path")
        ]

    def __str__(self) -> str:
        return " / ".join(part for part in (self.translated_name, self.building, self.floor, self.room) if part)

    @property
    def path(self) -> str:
        return " / ".join(part for part in (self.site, self.building, self.floor, self.room) if part)


class Employee(models.Model):
    """A member of staff. Requesters are employees with a login; others have tickets logged for them."""

    first_name = models.CharField(_("first name"), max_length=80)
    last_name = models.CharField(_("last name"), max_length=80)
    email = models.EmailField(_("work email"), blank=True)
    employee_number = models.CharField(_("employee number"), max_length=32, unique=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    job_title = models.CharField(_("job title"), max_length=120, blank=True)
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="employees",
    )
    location = models.ForeignKey(
        Location,
        verbose_name=_("location"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="employees",
    )
    manager = models.ForeignKey(
        "self",
        verbose_name=_("manager"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports",
    )
    is_active = models.BooleanField(_("active"), default=True, help_text=_("Off when the person has left."))
    # When the person joined and left: the training effect counts each person only for the days they were here.
    started_on = models.DateField(
        _("joined on"), null=True, blank=True, help_text=_("Empty: here before anything the desk counts.")
    )
    left_on = models.DateField(_("left on"), null=True, blank=True, help_text=_("Set when the person leaves."))
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="employee",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("employee")
        verbose_name_plural = _("employees")
        ordering = ["last_name", "first_name", "pk"]
        indexes = [
            models.Index(Lower("email"), name="employee_email_lower"),
            models.Index(fields=["last_name", "first_name", "id"], name="employee_name_order"),
            models.Index(fields=["department", "last_name"], name="employee_department"),
        ]

    def __str__(self) -> str:
        return self.full_name

    def get_absolute_url(self) -> str:
        return reverse("assets:employee_detail", args=[self.pk])

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class DeviceType(models.TextChoices):
    LAPTOP = "laptop", _("Laptop")
    DESKTOP = "desktop", _("Desktop")
    MONITOR = "monitor", _("Monitor")
    PRINTER = "printer", _("Printer")
    PHONE = "phone", _("Phone")
    NETWORK = "network", _("Network")
    OTHER = "other", _("Other")


class DeviceStatus(models.TextChoices):
    IN_STOCK = "in_stock", _("In stock")
    IN_USE = "in_use", _("In use")
    IN_REPAIR = "in_repair", _("In repair")
    RETIRED = "retired", _("Retired")


class Device(models.Model):
    asset_tag = models.CharField(_("asset tag"), max_length=40, unique=True, help_text=_("The number on the sticker."))
    serial_number = models.CharField(_("serial number"), max_length=80, blank=True)
    device_type = models.CharField(_("type"), max_length=16, choices=DeviceType.choices, default=DeviceType.LAPTOP)
    manufacturer = models.CharField(_("manufacturer"), max_length=80, blank=True)
    model = models.CharField(_("model"), max_length=120, blank=True)
    operating_system = models.CharField(_("operating system"), max_length=80, blank=True)
    purchase_date = models.DateField(_("purchase date"), null=True, blank=True)
    warranty_end = models.DateField(_("warranty end"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=DeviceStatus.choices, default=DeviceStatus.IN_STOCK)
    assigned_to = models.ForeignKey(
        Employee,
        verbose_name=_("assigned to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="devices",
    )
    location = models.ForeignKey(
        Location,
        verbose_name=_("location"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="devices",
    )
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("device")
        verbose_name_plural = _("devices")
        ordering = ["asset_tag"]
        indexes = [
            models.Index(Lower("asset_tag"), name="device_asset_tag_lower"),
            models.Index(Lower("serial_number"), name="device_serial_lower"),
            models.Index(fields=["status", "device_type"], name="device_status_type"),
            models.Index(fields=["model"], name="device_model"),
            models.Index(fields=["warranty_end"], name="device_warranty_end"),
        ]

    def __str__(self) -> str:
        label = " ".join(part for part in (self.manufacturer, self.model) if part)
        return f"{self.asset_tag} · {label}" if label else self.asset_tag

    def get_absolute_url(self) -> str:
        return reverse("assets:device_detail", args=[self.pk])


class DeviceAssignment(models.Model):
    """Who had a device from when to when. Written by assets.services whenever the holder changes."""

    device = models.ForeignKey(Device, verbose_name=_("device"), on_delete=models.CASCADE, related_name="assignments")
    employee = models.ForeignKey(
        Employee, verbose_name=_("employee"), on_delete=models.PROTECT, related_name="device_assignments"
    )
    started_at = models.DateTimeField(_("from"))
    ended_at = models.DateTimeField(_("until"), null=True, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("device assignment")
        verbose_name_plural = _("device assignments")
        ordering = ["-started_at", "-pk"]
        constraints = [
            # At most one open assignment per device.
            models.UniqueConstraint(
                fields=["device"], condition=models.Q(ended_at__isnull=True), name="device_one_open_assignment"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.device.asset_tag} → {self.employee}"


class ImportJobStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ImportJob(models.Model):
    """A CSV import of staff or devices handed to a background worker (the API's imports): the file is kept
    privately until the worker has read it, and the outcome is kept with the job."""

    kind = models.CharField(_("kind"), max_length=16)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("started by"), on_delete=models.CASCADE, related_name="+"
    )
    skip_invalid = models.BooleanField(_("import the valid rows of a file with errors"), default=False)
    file_token = models.CharField(_("kept file"), max_length=64, blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=ImportJobStatus.choices, default=ImportJobStatus.QUEUED
    )
    result = models.JSONField(_("outcome"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.kind} import {self.pk} ({self.status})"
