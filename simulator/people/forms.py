from django.contrib.auth.forms import AuthenticationForm, UserCreationForm


class SignUpForm(UserCreationForm):
    """Username, an optional email address and the password twice, checked by AUTH_PASSWORD_VALIDATORS.

    UserCreationForm also refuses a username that differs from an existing one only in case.
    """

    class Meta(UserCreationForm.Meta):
        fields = ("username", "email")
        help_texts = {"email": "Optional. Used for nothing yet."}

    def __init__(self, *args, **kwargs) -> None:
        # Labels sit above their controls, where Django's trailing colon only adds noise.
        super().__init__(*args, label_suffix="", **kwargs)
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["password2"].label = "Password again"


class SignInForm(AuthenticationForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, label_suffix="", **kwargs)
